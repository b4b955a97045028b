#include "guest-init/report.h"
#include "guest-init/modules.h"

#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "guest-init/sysfs.h"
#include "guest-init/wire.h"

#define MEMMAP_SYSFS "/sys/firmware/memmap"
#define MAX_MEMMAP 1024

/* The node a block belongs to: its directory holds a "nodeN" link. */
static int block_node(unsigned id)
{
	char path[PATH_MAX];
	struct dirent *de;
	int node = -1;

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u", id);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "node", 4) && de->d_name[4] >= '0' && de->d_name[4] <= '9')
			node = atoi(de->d_name + 4);
	closedir(d);
	return node;
}

static void replace_spaces(char *s, char with)
{
	for (; *s; s++)
		if (*s == ' ')
			*s = with;
}

/* A file that cannot be read leaves its default in the line: the report
 * says what it can rather than nothing. */
static void report_block(const struct channel *ch, unsigned id, uint64_t bsize)
{
	char path[PATH_MAX], state[64] = "?", zones[256] = "", removable[16] = "-", phys[16] = "-";
	const char *zone = "-";

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/state", id);
	read_text(path, state, sizeof(state));
	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/valid_zones", id);
	read_text(path, zones, sizeof(zones));
	replace_spaces(zones, ',');
	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/removable", id);
	read_text(path, removable, sizeof(removable));
	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/phys_device", id);
	read_text(path, phys, sizeof(phys));
	/* Online blocks show their own zone (or "none" when mixed). */
	if (!strcmp(state, "online"))
		zone = zones;
	say(ch, "block id=%u start=0x%llx node=%d state=%s zone=%s valid_zones=%s removable=%s phys_device=%s", id,
	    (unsigned long long)(id * bsize), block_node(id), state, zone, zones[0] ? zones : "-",
	    removable[0] ? removable : "-", phys[0] ? phys : "-");
}

static void report_node(const struct channel *ch, unsigned id)
{
	char path[PATH_MAX], buf[4096];
	unsigned long long kb = 0;
	char *p;

	snprintf(path, sizeof(path), NODE_SYSFS "/node%u/meminfo", id);
	if (read_text(path, buf, sizeof(buf)) == 0 && (p = strstr(buf, "MemTotal:")))
		kb = strtoull(p + strlen("MemTotal:"), NULL, 10);
	say(ch, "node id=%u memtotal_kb=%llu", id, kb);
}

static void read_memmap(unsigned id, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MEMMAP_SYSFS "/%u/%s", id, name);
	read_text(path, buf, size);
}

/* /sys/firmware/memmap/N: the firmware's map plus hot-added ranges. */
static void report_memmap(const struct channel *ch, unsigned *ids)
{
	unsigned n = list_numbered(MEMMAP_SYSFS, "", ids, MAX_MEMMAP);

	for (unsigned i = 0; i < n; i++) {
		char start[32] = "", end[32] = "", type[64] = "";

		read_memmap(ids[i], "start", start, sizeof(start));
		read_memmap(ids[i], "end", end, sizeof(end));
		read_memmap(ids[i], "type", type, sizeof(type));
		replace_spaces(type, '_');
		say(ch, "memmap start=%s end=%s type=%s", start, end, type[0] ? type : "-");
	}
}

/* /proc/zoneinfo: a "Node N, zone NAME" header, then "spanned", "present",
 * "managed" and, for populated zones only, "start_pfn" lines; each zone is
 * sent when the next header (or the end) comes. */
struct zone_acc {
	unsigned node;
	char name[32];
	unsigned long long present, managed, spanned, start_pfn;
};

static void say_zone(const struct channel *ch, const struct zone_acc *z)
{
	if (z->name[0])
		say(ch, "zone node=%u name=%s present=%llu managed=%llu spanned=%llu start_pfn=%llu", z->node,
		    z->name, z->present, z->managed, z->spanned, z->start_pfn);
}

static void report_zones(const struct channel *ch)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	struct zone_acc z = { 0 }, next;
	char line[256];
	unsigned long long v;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		memset(&next, 0, sizeof(next));
		if (sscanf(line, "Node %u, zone %31s", &next.node, next.name) == 2) {
			say_zone(ch, &z);
			z = next;
		} else if (sscanf(line, " spanned %llu", &v) == 1)
			z.spanned = v;
		else if (sscanf(line, " present %llu", &v) == 1)
			z.present = v;
		else if (sscanf(line, " managed %llu", &v) == 1)
			z.managed = v;
		else if (sscanf(line, " start_pfn: %llu", &v) == 1)
			z.start_pfn = v;
	}
	say_zone(ch, &z);
	fclose(f);
}

/* The kernel's node state masks (drivers/base/node.c node_state_attr),
 * as node lists ("0-1,3"); "-" for an empty one or a file the kernel
 * lacks. */
static void report_node_states(const struct channel *ch)
{
	static const char *const names[] = { "possible", "online", "has_memory", "has_normal_memory", "has_cpu" };
	char lists[5][128];

	for (size_t i = 0; i < 5; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), NODE_SYSFS "/%s", names[i]);
		if (read_text(path, lists[i], sizeof(lists[i])) < 0 || !lists[i][0])
			strcpy(lists[i], "-");
	}
	say(ch, "nodestates possible=%s online=%s has_memory=%s has_normal_memory=%s has_cpu=%s", lists[0], lists[1],
	    lists[2], lists[3], lists[4]);
}

/* /proc/iomem's top-level "System RAM" ranges (the kernel's own resources
 * nest under them, indented), the "System RAM (DRIVER)" ranges of memory a
 * driver added (add_memory_driver_managed(): nested under the driver's
 * region, "name=virtio_mem"), and /proc/meminfo's MemTotal. */
static void report_iomem(const struct channel *ch)
{
	FILE *f = fopen("/proc/iomem", "re");
	char line[256], meminfo[256] = "", driver[32];
	unsigned long long start, end, kb = 0;
	int name = -1;

	while (f && fgets(line, sizeof(line), f)) {
		const char *text = line + strspn(line, " ");

		if (sscanf(text, "%llx-%llx : %n", &start, &end, &name) == 2 && name > 0) {
			if (text == line && !strcmp(text + name, "System RAM\n"))
				say(ch, "iomem start=0x%llx end=0x%llx", start, end);
			else if (sscanf(text + name, "System RAM (%31[^) ])", driver) == 1)
				say(ch, "iomem start=0x%llx end=0x%llx name=%s", start, end, driver);
		}
		name = -1;
	}
	if (f)
		fclose(f);
	if (read_text("/proc/meminfo", meminfo, sizeof(meminfo)) == 0 && !strncmp(meminfo, "MemTotal:", 9))
		kb = strtoull(meminfo + 9, NULL, 10);
	say(ch, "meminfo memtotal_kb=%llu", kb);
}

void report(const struct channel *ch, unsigned *ids)
{
	uint64_t bsize = block_size();
	unsigned n = list_numbered(MEMORY_SYSFS, "memory", ids, REPORT_MAX_IDS);

	for (unsigned i = 0; i < n; i++)
		report_block(ch, ids[i], bsize);
	n = list_numbered(NODE_SYSFS, "node", ids, REPORT_MAX_IDS);
	for (unsigned i = 0; i < n; i++)
		report_node(ch, ids[i]);
	report_memmap(ch, ids);
	report_zones(ch);
	report_node_states(ch);
	report_iomem(ch);
	say(ch, "end");
}

/* Files that are missing leave "-" (or 0): the harness decides what an
 * absent knob means. */
void say_hello(const struct channel *ch, const char *verb)
{
	struct utsname u;
	char nodes[256] = "-", auto_online[32] = "-", memmap[16] = "-", pagetypes[128] = "";
	unsigned pageblock_order = 0;

	if (uname(&u) < 0)
		fatal(ch, "uname", errno);
	read_text(NODE_SYSFS "/online", nodes, sizeof(nodes));
	read_text(MEMORY_SYSFS "/auto_online_blocks", auto_online, sizeof(auto_online));
	/* Absent without CONFIG_MHP_MEMMAP_ON_MEMORY: then the knob does nothing. */
	read_text("/sys/module/memory_hotplug/parameters/memmap_on_memory", memmap, sizeof(memmap));
	/* "Page block order: 9": memmap_on_memory needs whole pageblocks. */
	if (read_text("/proc/pagetypeinfo", pagetypes, sizeof(pagetypes)) == 0 &&
	    sscanf(pagetypes, "Page block order: %u", &pageblock_order) != 1)
		pageblock_order = 0;
	say(ch, "%s proto=%d release=%s block_size=0x%llx nodes=%s auto_online=%s memmap_on_memory=%s pageblock_order=%u "
	    "modules=%s", verb, MHP_WIRE_PROTO, u.release, (unsigned long long)block_size(), nodes, auto_online,
	    memmap[0] ? memmap : "-", pageblock_order, modules_loaded());
}
