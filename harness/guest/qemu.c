#include "guest/qemu.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-init/wire.h"
#include "lib/cleanup.h"

char *mhp_qemu_cmdline(const struct mhp_qemu_config *cfg, const struct mhp_topology *s)
{
	struct mhp_strv words = MHP_STRV_INIT;

	/* panic=-1 with -no-reboot: a panicking guest ends QEMU at once. */
	mhp_strv_push(&words, "console=ttyS0");
	mhp_strv_push(&words, "panic=-1");
	mhp_strv_push(&words, "rdinit=/init");
	/* KASLR would put the kernel image on a random node, and a node holding
	 * early allocations keeps no Movable memory: results would be random. */
	mhp_strv_push(&words, "nokaslr");
	if (cfg->probe)
		mhp_strv_push(&words, "mhp.probe=1");
	for (size_t i = 0; i < s->cmdline.n; i++)
		if (!cfg->runtime_knobs || !mhp_wire_knob_of(s->cmdline.v[i]))
			mhp_strv_push(&words, s->cmdline.v[i]);
	if (cfg->extra_append && *cfg->extra_append)
		mhp_strv_push(&words, cfg->extra_append);
	char *line = mhp_strv_join(&words);
	mhp_strv_release(&words);
	return line;
}

char *mhp_qemu_version_line(const char *binary)
{
	/* Asked for by every cache key of a run (snapshot shape, deadlines,
	 * DSDT): one exec of QEMU per process and binary, which workers
	 * inherit from the parent that asked first. */
	static char *cached_binary, *cached_line;
	char *argv[] = { (char *)(binary ? binary : "qemu-system-x86_64"), "--version", NULL }, *out = NULL;

	if (cached_line && !strcmp(cached_binary, argv[0]))
		return mhp_xstrdup(cached_line);
	if (mhp_run_capture(argv, mhp_deadline_in_ms(10000), 256, &out) != 0) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	free(cached_binary), free(cached_line);
	cached_binary = mhp_xstrdup(argv[0]);
	cached_line = mhp_xstrdup(out);
	return out;
}

void mhp_qemu_backend_id(const struct mhp_dimm *d, char *buf, size_t size)
{
	snprintf(buf, size, "mem-%s", d->id);
}

static void push_numa(struct mhp_strv *argv, const struct mhp_topology *s)
{
	unsigned cpu = 0;

	for (unsigned i = 0; i < s->nr_nodes; i++) {
		const struct mhp_node *n = &s->nodes[i];
		char cpus[32] = "", memdev[32] = "";

		if (n->memory) {
			mhp_strv_push(argv, "-object");
			mhp_strv_pushf(argv, "memory-backend-ram,id=ram-node%u,size=%" PRIu64 "M", i, n->memory >> 20);
			snprintf(memdev, sizeof(memdev), ",memdev=ram-node%u", i);
		}
		if (n->cpus == 1)
			snprintf(cpus, sizeof(cpus), ",cpus=%u", cpu);
		else if (n->cpus > 1)
			snprintf(cpus, sizeof(cpus), ",cpus=%u-%u", cpu, cpu + n->cpus - 1);
		mhp_strv_push(argv, "-numa");
		mhp_strv_pushf(argv, "node,nodeid=%u%s%s", i, cpus, memdev);
		cpu += n->cpus;
	}
}

/* virtio-mem devices: on the command line (QEMU 7.2 cannot hot-add one),
 * asking for nothing until a resize step does. */
static void push_virtio_mem(struct mhp_strv *argv, const struct mhp_topology *s)
{
	for (unsigned i = 0; i < s->nr_dimms; i++) {
		const struct mhp_dimm *d = &s->dimms[i];
		char backend[64];

		if (d->kind != MHP_DEVICE_VIRTIO_MEM)
			continue;
		mhp_qemu_backend_id(d, backend, sizeof(backend));
		mhp_strv_push(argv, "-object");
		mhp_strv_pushf(argv, "memory-backend-ram,id=%s,size=%" PRIu64 "M", backend, d->size >> 20);
		mhp_strv_push(argv, "-device");
		mhp_strv_pushf(argv, "virtio-mem-pci,id=%s,memdev=%s,node=%u,requested-size=%" PRIu64 ",block-size=%" PRIu64,
			       d->id, backend, d->node, d->requested_size, d->block_size);
	}
}

static unsigned total_cpus(const struct mhp_topology *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->nr_nodes; i++)
		n += s->nodes[i].cpus;
	return n;
}

void mhp_qemu_build_argv(const struct mhp_qemu_config *cfg, const struct mhp_topology *s,
			 struct mhp_strv *argv)
{
	_cleanup_free_ char *append = mhp_qemu_cmdline(cfg, s);

	mhp_strv_push(argv, cfg->binary ? cfg->binary : "qemu-system-x86_64");
	mhp_strv_push(argv, "-name");
	mhp_strv_pushf(argv, "mhp-%s", cfg->shape ? "" : s->name);
	mhp_strv_push(argv, "-machine");
	mhp_strv_push(argv, s->machine);
	/* Multi-threaded TCG races the kernel's live code patching (int3 in
	 * text_poke_bp while another vCPU runs the site: an Oops at boot, seen
	 * with 6.12); one TCG thread keeps cross-modifying code coherent. */
	mhp_strv_push(argv, "-accel");
	mhp_strv_push(argv, strcmp(cfg->accel, "tcg") ? cfg->accel : "tcg,thread=single");
	mhp_strv_push(argv, "-nodefaults");
	mhp_strv_push(argv, "-no-user-config");
	mhp_strv_push(argv, "-nographic");
	mhp_strv_push(argv, "-no-reboot");
	/* One socket per CPU unless asked: CPUs of different nodes sharing a
	 * socket (and its LLC) make 6.12 WARN "llc-sibling ... not on the same
	 * node", which is what "sockets": "one" is for (sub-NUMA clustering). */
	mhp_strv_push(argv, "-smp");
	if (s->one_socket)
		mhp_strv_pushf(argv, "%u,sockets=1,cores=%u,threads=1", total_cpus(s), total_cpus(s));
	else
		mhp_strv_pushf(argv, "%u,sockets=%u,cores=1,threads=1", total_cpus(s), total_cpus(s));
	mhp_strv_push(argv, "-m");
	mhp_strv_pushf(argv, "%" PRIu64 "M,slots=%u,maxmem=%" PRIu64 "M", mhp_topology_boot_memory(s) >> 20,
		       s->slots, s->maxmem >> 20);
	push_numa(argv, s);
	push_virtio_mem(argv, s);
	/* A guest whose kernel has the driver reports panics as GUEST_PANICKED. */
	mhp_strv_push(argv, "-device");
	mhp_strv_push(argv, "pvpanic");
	mhp_strv_push(argv, "-kernel");
	mhp_strv_push(argv, cfg->kernel);
	mhp_strv_push(argv, "-initrd");
	mhp_strv_push(argv, cfg->initrd);
	mhp_strv_push(argv, "-append");
	mhp_strv_push(argv, append);
	mhp_strv_push(argv, "-chardev");
	/* append: a restored run's console.log starts with the boot it skipped. */
	mhp_strv_pushf(argv, "file,id=console,path=%s,append=on", cfg->console_log);
	mhp_strv_push(argv, "-serial");
	mhp_strv_push(argv, "chardev:console");
	if (cfg->probe)
		return;
	mhp_strv_push(argv, "-chardev");
	mhp_strv_pushf(argv, "socket,id=channel,path=%s", cfg->chan_socket);
	mhp_strv_push(argv, "-serial");
	mhp_strv_push(argv, "chardev:channel");
	mhp_strv_push(argv, "-chardev");
	mhp_strv_pushf(argv, "socket,id=qmp,path=%s", cfg->qmp_socket);
	mhp_strv_push(argv, "-mon");
	mhp_strv_push(argv, "chardev=qmp,mode=control");
	if (cfg->incoming) {
		mhp_strv_push(argv, "-incoming");
		mhp_strv_push(argv, "defer");
	}
}
