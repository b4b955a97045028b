#include "guest/qemu.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

char *mhp_qemu_resolve(const char *qemu)
{
	const char *path = getenv("PATH");

	if (qemu)
		return realpath(qemu, NULL);
	for (const char *p = path ? path : "/usr/bin"; *p;) {
		size_t len = strcspn(p, ":");
		_cleanup_free_ char *cand = mhp_xasprintf("%.*s/qemu-system-x86_64", (int)len, p);

		if (access(cand, X_OK) == 0)
			return realpath(cand, NULL);
		p += len + (p[len] == ':');
	}
	errno = ENOENT;
	return NULL;
}

int mhp_qemu_identity(const char *abs, uint64_t *ret)
{
	struct stat st;
	uint64_t h = MHP_HASH_INIT;

	if (stat(abs, &st) < 0)
		return -errno;
	h = mhp_hash(h, abs, strlen(abs));
	h = mhp_hash(h, &st.st_ino, sizeof(st.st_ino));
	h = mhp_hash(h, &st.st_size, sizeof(st.st_size));
	h = mhp_hash(h, &st.st_mtim, sizeof(st.st_mtim));
	h = mhp_hash(h, &st.st_ctim, sizeof(st.st_ctim));
	*ret = h;
	return 0;
}

/* <cache>/qemu-version/IDENTITY: the line, kept while the binary is the
 * same file (an upgrade changes its inode or times).  NULL: not there. */
static char *version_cache_path(const char *binary)
{
	_cleanup_free_ char *abs = mhp_qemu_resolve(binary), *name = NULL;
	uint64_t h;

	if (!abs || mhp_qemu_identity(abs, &h) < 0)
		return NULL;
	name = mhp_xasprintf("qemu-version/%016" PRIx64, h);
	return mhp_cache_path(name);
}

static char *ask_version(const char *binary)
{
	char *argv[] = { (char *)(binary ? binary : "qemu-system-x86_64"), "--version", NULL }, *out = NULL;
	_cleanup_free_ char *cached = version_cache_path(binary);
	size_t len;

	if (cached && mhp_read_file(cached, 4096, &out, &len) == 0 && len)
		return out;
	free(out);
	out = NULL;
	if (mhp_run_capture(argv, mhp_deadline_in_ms(10000), 256, &out) != 0) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	/* A cache that cannot be written costs the next run an exec, no more. */
	if (cached) {
		_cleanup_free_ char *dir = mhp_xstrdup(cached);

		*strrchr(dir, '/') = '\0';
		if (mhp_mkdir_p(dir, 0755) == 0)
			(void)mhp_write_file_atomic(cached, out, strlen(out));
	}
	return out;
}

char *mhp_qemu_version_line(const char *binary)
{
	/* Asked for by every cache key of a run (snapshot shape, deadlines,
	 * DSDT): once per process and binary, which workers inherit from the
	 * parent that asked first, and from the cache across processes (a
	 * QEMU exec costs 15-50 ms, a tenth of a restored scenario). */
	static char *cached_binary, *cached_line;
	const char *name = binary ? binary : "qemu-system-x86_64";
	char *out;

	if (cached_line && !strcmp(cached_binary, name))
		return mhp_xstrdup(cached_line);
	if (!(out = ask_version(binary)))
		return NULL;
	free(cached_binary), free(cached_line);
	cached_binary = mhp_xstrdup(name);
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

static void push_machine(struct mhp_strv *argv, const struct mhp_qemu_config *cfg, const struct mhp_topology *s)
{
	/* No PS/2 controller (QEMU 7.0 and later): the kernel probes its mouse
	 * asynchronously, about 0.4 s under TCG, and power-off waits for every
	 * probe (device_shutdown), so a restored scenario paid it at its end. */
	mhp_strv_push(argv, "-machine");
	mhp_strv_pushf(argv, "%s,i8042=off", s->machine);
	/* Multi-threaded TCG races the kernel's live code patching (int3 in
	 * text_poke_bp while another vCPU runs the site: an Oops at boot, seen
	 * with 6.12); one TCG thread keeps cross-modifying code coherent. */
	mhp_strv_push(argv, "-accel");
	mhp_strv_push(argv, strcmp(cfg->accel, "tcg") ? cfg->accel : "tcg,thread=single");
}

void mhp_qemu_build_argv(const struct mhp_qemu_config *cfg, const struct mhp_topology *s,
			 struct mhp_strv *argv)
{
	_cleanup_free_ char *append = mhp_qemu_cmdline(cfg, s);

	mhp_strv_push(argv, cfg->binary ? cfg->binary : "qemu-system-x86_64");
	mhp_strv_push(argv, "-name");
	mhp_strv_pushf(argv, "mhp-%s", cfg->shape ? "" : s->name);
	push_machine(argv, cfg, s);
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
