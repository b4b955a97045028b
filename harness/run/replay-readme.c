/* The README of a libvirt reproducer: the virsh commands and the guest-side
 * writes, one per step, in step order. */
#include "run/replay-internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "guest/libvirt-xml.h"

/* The blocks of DIMM d a step acts on: their sysfs names when the topology
 * fixes its address, else how to find them. */
static void blocks(FILE *f, const struct mhp_topology *t, const struct mhp_step *s)
{
	const struct mhp_dimm *d = &t->dimms[s->dimm];
	uint64_t n = d->size / MHP_BLOCK_SIZE, first = d->addr / MHP_BLOCK_SIZE;

	if (!d->addr) {
		fprintf(f, " %s the %" PRIu64 " blocks of %s (memoryN, N = its base / 128 MiB onward; "
			"`virsh dumpxml` shows the base)", s->blocks ? "some of" : "each of", n, d->id);
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		if (!s->blocks || (s->blocks >> i & 1))
			fprintf(f, " memory%" PRIu64, first + i);
}

static void step_plug(FILE *f, const struct mhp_replay_ctx *c, const struct mhp_step *s)
{
	fprintf(f, "virsh attach-device %s %s --live\n", c->name, c->files[s->dimm]);
	fprintf(f, "   # the guest gets %s's memory blocks, each an add uevent; auto-online as the "
		"kernel's memhp_default_state says\n", c->t->dimms[s->dimm].id);
}

static void step_unplug(FILE *f, const struct mhp_replay_ctx *c, const struct mhp_step *s)
{
	char alias[MHP_ID_MAX + 8];

	mhp_libvirt_alias(&c->t->dimms[s->dimm], alias, sizeof(alias));
	fprintf(f, "virsh detach-device-alias %s %s --live\n", c->name, alias);
	fprintf(f, "   # %s\n", s->expect == MHP_EXPECT_FAIL ? "the topology expects the guest to refuse it (_OST)"
			  : s->expect == MHP_EXPECT_ANY ? "removed or refused: either is allowed here"
							: "removed when every block offlined (DEVICE_REMOVED)");
}

static void step_online(FILE *f, const struct mhp_replay_ctx *c, const struct mhp_step *s)
{
	const char *type = s->online_type[0] ? s->online_type : "online";

	fprintf(f, "# in the guest: echo %s > /sys/devices/system/memory/memoryN/state for", type);
	blocks(f, c->t, s);
	fprintf(f, "\n   # (over the channel: online N %s)%s%s\n", type, s->expect_zone[0] ? "; zone expected: " : "",
		s->expect_zone);
}

static void step_offline(FILE *f, const struct mhp_replay_ctx *c, const struct mhp_step *s)
{
	fprintf(f, "# in the guest: echo offline > /sys/devices/system/memory/memoryN/state for");
	blocks(f, c->t, s);
	fprintf(f, "\n   # (over the channel: offline N %u; the kernel retries until a signal)\n",
		s->timeout_ms ? s->timeout_ms : 60000);
}

static void step_resize(FILE *f, const struct mhp_replay_ctx *c, const struct mhp_step *s)
{
	char alias[MHP_ID_MAX + 8];

	mhp_libvirt_alias(&c->t->dimms[s->dimm], alias, sizeof(alias));
	fprintf(f, "virsh update-memory-device %s --alias %s --requested-size %" PRIu64 " --live\n", c->name, alias,
		s->size >> 10);
	fprintf(f, "   # KiB; the guest driver plugs or unplugs to it (in QMP: qom-set of %s's requested-size, "
		"libvirt's QEMU id being the alias)\n", alias);
}

static void step_guest(FILE *f, const struct mhp_replay_ctx *c, const struct mhp_step *s)
{
	const struct mhp_dimm *d = &c->t->dimms[s->dimm];

	switch (s->kind) {
	case MHP_STEP_CHECK:
		fprintf(f, "# in the guest: each block's state, valid_zones and node under /sys/devices/system/memory, "
			"/proc/zoneinfo (channel: report); mhp run compares them with its oracle\n");
		break;
	case MHP_STEP_FILL:
		fprintf(f, "# in the guest: %" PRIu64 " KiB of patterned data bound to node %u (channel: fill)\n",
			s->size >> 10, d->node);
		break;
	case MHP_STEP_VERIFY:
		fprintf(f, "# in the guest: read the filled data back (channel: verify)\n");
		break;
	case MHP_STEP_CORRUPT:
		fprintf(f, "# in the guest: flip one byte of the filled data (channel: corrupt)\n");
		break;
	case MHP_STEP_PIN:
		fprintf(f, "# in the guest: %" PRIu64 " KiB of unmovable slab on node %u (channel: pin %u %" PRIu64 ")\n",
			s->size >> 10, d->node, d->node, s->size >> 10);
		break;
	case MHP_STEP_SYSRQ:
		fprintf(f, "# in the guest: echo %c > /proc/sysrq-trigger (channel: sysrq %c)\n", s->sysrq, s->sysrq);
		break;
	case MHP_STEP_OFFLINE_BOOT:
		fprintf(f, "# in the guest: echo offline > /sys/devices/system/node/node%u/memory*/state "
			"(every boot block of the node)\n", mhp_topology_kernel_node(c->t, s->node));
		break;
	default:
		break;
	}
}

static void (*const step_fns[])(FILE *, const struct mhp_replay_ctx *, const struct mhp_step *) = {
	[MHP_STEP_PLUG] = step_plug,       [MHP_STEP_UNPLUG] = step_unplug, [MHP_STEP_ONLINE] = step_online,
	[MHP_STEP_OFFLINE] = step_offline, [MHP_STEP_RESIZE] = step_resize, [MHP_STEP_CHECK] = step_guest,
	[MHP_STEP_FILL] = step_guest,      [MHP_STEP_VERIFY] = step_guest,  [MHP_STEP_CORRUPT] = step_guest,
	[MHP_STEP_SYSRQ] = step_guest,     [MHP_STEP_PIN] = step_guest,     [MHP_STEP_OFFLINE_BOOT] = step_guest,
};

static void header(FILE *f, const struct mhp_replay_ctx *c)
{
	fprintf(f, "# %s: topology %s replayed through libvirt\n\n", c->name, c->t->name);
	fprintf(f, "Written by `mhp topo libvirt --replay`. Files: `domain.xml` (the boot domain: no DIMM, "
		"every virtio-mem device), `dimmN.xml` (the DIMMs in the order the steps plug them), "
		"`initrd.cpio` (mhp's guest init%s), `topology.json`%s.\n\n",
		c->ntables ? ", and mhp's ACPI tables in the first cpio" : "", c->ntables ? ", `acpi/` (their source)" : "");
	fprintf(f, "The guest console (ttyS0) goes to `console.log`; mhp's guest init answers on ttyS1, "
		"the unix socket `channel.sock` (QEMU listens): `socat - UNIX-CONNECT:channel.sock`, then "
		"type its commands (`report`, `online 40 online_movable`, `offline 40 60000`; "
		"guest-init/wire.h lists them). The init has no shell: the sysfs writes below are what its "
		"commands do.\n\n");
	if (c->modules_note[0])
		fprintf(f, "%s\n\n", c->modules_note);
	fprintf(f, "What libvirt cannot express is in comments inside `domain.xml`.\n\n");
	fprintf(f, "Any libvirt with the QEMU driver will do (`virsh --connect qemu:///system`). With no daemon, "
		"`qemu:///embed?root=DIR` (as root; DIR/etc/qemu.conf with user and group \"root\", "
		"stdio_handler \"file\", cgroup_controllers [ ], security_driver \"none\") has no autodestroy and "
		"wants one process: type the commands into one interactive `virsh --connect 'qemu:///embed?root=DIR'` "
		"(a second virsh process reconnecting to the running domain stopped it here).\n\n");
	fprintf(f, "```sh\nvirsh create domain.xml\n");
}

void mhp_replay_readme(FILE *f, const struct mhp_replay_ctx *c)
{
	header(f, c);
	for (unsigned i = 0; i < c->t->nr_steps; i++) {
		const struct mhp_step *s = &c->t->steps[i];
		const char *dev = mhp_step_kind_has_dimm(s->kind) ? c->t->dimms[s->dimm].id : "";

		fprintf(f, "\n# step %u: %s%s%s\n", i + 1, mhp_step_kind_name(s->kind), *dev ? " " : "", dev);
		if ((size_t)s->kind < sizeof(step_fns) / sizeof(step_fns[0]) && step_fns[s->kind])
			step_fns[s->kind](f, c, s);
	}
	fprintf(f, "\n# the end (mhp's runs power the guest off)\nvirsh destroy %s\n```\n", c->name);
}
