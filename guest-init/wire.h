/* The guest channel's wire format: the only thing guest-init and the harness
 * share.  One message per line, '\n'-terminated, at most MHP_WIRE_MAX_LINE
 * bytes: a verb, then space-separated key=value fields whose values hold no
 * space.  The harness sends commands; the guest answers each with one or more
 * lines, the last of which is "ok ...", "error ..." or "end".
 *
 * guest -> host, unprompted:
 *   hello proto=1 release=6.1.0 block_size=0x8000000 nodes=0-1 auto_online=offline
 *         memmap_on_memory=Y|N|force|- (- when the kernel lacks the parameter)
 *         pageblock_order=9 (0 when /proc/pagetypeinfo does not say)
 *         modules=virtio,virtio_ring,virtio_mem (loaded by init from the
 *         initrd's /modules, in order; - none)
 *   fatal what=... errno=N              (then the guest powers off)
 * host -> guest             guest answers
 *   report                   block id=.. start=0x.. node=N state=online|offline
 *                                  zone=Movable|Normal|..|none|- valid_zones=A,B
 *                                  removable=1 phys_device=0   ("-": no such file)
 *                            node id=N memtotal_kb=N
 *                            memmap start=0x.. end=0x.. type=System_RAM
 *                            zone node=N name=Movable present=P managed=M spanned=S start_pfn=F
 *                            nodestates possible=0-2 online=0-1 has_memory=0-1
 *                                  has_normal_memory=0-1 has_cpu=0-1   (node lists, "-": none)
 *                            iomem start=0x.. end=0x..   (top-level System RAM in /proc/iomem)
 *                            iomem start=0x.. end=0x.. name=virtio_mem   ("System RAM (virtio_mem)",
 *                                  at any depth: memory a driver added)
 *                            meminfo memtotal_kb=N
 *                            end
 *   await-add N MS          ok ids=32,33,...   (N blocks whose add uevent arrived)
 *   await-remove N MS       ok ids=...
 *   await-online N MS       ok ids=...   (N online uevents of memory blocks: the kernel's
 *                           auto-online of blocks a virtio-mem grow added; N 0 forgets those seen)
 *   await-online-in FIRST END N MS   ok ids=...   (N blocks of [FIRST, END) online: those a
 *                           virtio-mem device plugged while the guest booted)
 *   online ID TYPE          ok | error what=online id=ID errno=N
 *                           (TYPE: online, online_kernel, online_movable)
 *   offline ID MS           ok | error what=offline id=ID errno=N (ETIMEDOUT
 *                           when the kernel still retried after MS)
 *   fill NODE START END KIB SEED   ok pages=N on_range=N on_node=N (patterned anon + tmpfs
 *                           pages mbind()ed to NODE; on_range: in [START,END))
 *   verify START END        ok pages=N bad_words=N on_range=N
 *   pin NODE KIB            ok dirs=N cpu=C (unmovable slab on NODE, from its CPU C)
 *   sysrq KEY               ok (writes KEY to /proc/sysrq-trigger; c panics)
 *   corrupt                 ok (flips one byte of the filled data: a test knob)
 *   acpi-table SIG          acpi-data hex=... (1 KiB a line)..., then ok bytes=N
 *   poweroff                ok, then the guest powers off
 *   hello                   ok proto=1 release=... (the hello's fields as they are
 *                           now: after a restore from a boot snapshot, after knobs)
 *   knob PARAM VALUE        ok | error what=knob errno=N (writes VALUE to the
 *                           sysfs file of PARAM, one of mhp_wire_knobs)
 */
#ifndef MHP_WIRE_H
#define MHP_WIRE_H

#include <string.h>

#define MHP_WIRE_PROTO 1
#define MHP_WIRE_MAX_LINE 4096
#define MHP_WIRE_MAX_FIELDS 32

/* The words both sides use, in one place: the zones as the kernel names
 * them in valid_zones and /proc/zoneinfo, and the online types a memory
 * block's state file takes (in the order of the harness's enum
 * mhp_online_type).  NULL-terminated. */
static const char *const mhp_wire_zone_names[] = { "DMA", "DMA32", "Normal", "Movable", "Device", "none", NULL };
static const char *const mhp_wire_online_types[] = { "online", "online_kernel", "online_movable", NULL };

/* Hotplug knobs the kernel takes at run time as well as on its command
 * line (memory-hotplug.rst: the module parameters are 0644, and
 * auto_online_blocks is what memhp_default_state= sets).  The harness may
 * set them through the guest ("knob PARAM VALUE") before the first step
 * instead of booting another command line, so machines that differ only in
 * these share one boot snapshot.  Boot-only knobs (movable_node,
 * memmap_on_memory, kernelcore, movablecore) are not here. */
struct mhp_wire_knob {
	const char *param; /* the command-line parameter, without "=" */
	const char *path;  /* the file that sets it at run time */
};
static const struct mhp_wire_knob mhp_wire_knobs[] = {
	{ "memhp_default_state", "/sys/devices/system/memory/auto_online_blocks" },
	{ "memory_hotplug.online_policy", "/sys/module/memory_hotplug/parameters/online_policy" },
	{ "memory_hotplug.auto_movable_ratio", "/sys/module/memory_hotplug/parameters/auto_movable_ratio" },
	{ "memory_hotplug.auto_movable_numa_aware", "/sys/module/memory_hotplug/parameters/auto_movable_numa_aware" },
	{ NULL, NULL },
};

/* The knob a command-line word ("memhp_default_state=online") sets, or NULL. */
static inline const struct mhp_wire_knob *mhp_wire_knob_of(const char *word)
{
	for (const struct mhp_wire_knob *k = mhp_wire_knobs; k->param; k++) {
		size_t n = strlen(k->param);
		if (!strncmp(word, k->param, n) && (word[n] == '=' || word[n] == '\0'))
			return k;
	}
	return NULL;
}

/* Index of word in a NULL-terminated table, or -1. */
static inline int mhp_wire_lookup(const char *const *table, const char *word)
{
	for (int i = 0; table[i]; i++)
		if (!strcmp(table[i], word))
			return i;
	return -1;
}

#endif
