/* The zone oracle against the kernel's rules (mm/memory_hotplug.c,
 * drivers/base/memory.c, mm/mm_init.c), each row a topology, a script of
 * what happens and what the oracle must answer. */
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "model/oracle.h"

#define TWO_NODES(kernel, dimms)                                                                   \
	"{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\" } ], "  \
	"\"slots\": 4, \"maxmem\": \"8G\", \"kernel\": { " kernel " }, \"dimms\": [ " dimms " ], " \
	"\"steps\": [ { \"plug\": \"a\" } ] }"
#define VIRTIO_MEM_NODE1(kernel)                                                                    \
	"{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\" } ], "   \
	"\"slots\": 1, \"maxmem\": \"4G\", \"kernel\": { " kernel " }, \"dimms\": [ { \"id\": \"vm0\", " \
	"\"kind\": \"virtio-mem\", \"node\": 1, \"max_size\": \"1G\" } ], "                          \
	"\"steps\": [ { \"resize\": \"vm0\", \"size\": \"512M\" } ] }"
#define DIMM_A_1G "{ \"id\": \"a\", \"size\": \"1G\", \"node\": 1 }"
#define DIMM_B_512M "{ \"id\": \"b\", \"size\": \"512M\", \"node\": 1 }"
#define DIMM_A_256M "{ \"id\": \"a\", \"size\": \"256M\", \"node\": 1 }"
#define DIMM_A_512M "{ \"id\": \"a\", \"size\": \"512M\", \"node\": 1 }"

struct row {
	const char *name;
	const char *topology;
	unsigned kver;
	const char *script; /* ops separated by ';' */
	const char *answers; /* what the query ops print, space-separated */
};

/* Ops: "boot" (predict boot memory), "auto TYPE", "plug DIMM FIRSTID",
 * "online ID TYPE", "offline ID", "unplug DIMM"; queries: "zone ID TYPE",
 * "valid ID", "bootzone ID", "node ID", "offline? ID", "unplug? DIMM",
 * "managed NODE" (MiB). */
/* Also "pages NODE ZONE": present/spanned pages, or "unknown" where boot
 * memory is in the zone. */
static void zone_pages_answer(const struct mhp_oracle *o, unsigned node, const char *zone, char *ans, size_t size)
{
	int64_t present, spanned;

	if (mhp_oracle_zone_pages(o, node, mhp_zone_parse(zone), &present, &spanned) < 0)
		snprintf(ans, size, "unknown");
	else
		snprintf(ans, size, "%lld/%lld", (long long)present, (long long)spanned);
}

/* Also "states NODE": the node state masks that hold NODE, one letter
 * each: p(ossible) o(nline) m(emory) n(ormal memory) c(pu); "-" for none. */
static void states_answer(const struct mhp_oracle *o, unsigned node, char *ans, size_t size)
{
	struct mhp_node_states st;
	size_t n = 0;

	mhp_oracle_node_states(o, &st);
	const uint64_t masks[] = { st.possible, st.online, st.has_memory, st.has_normal_memory, st.has_cpu };
	for (size_t i = 0; i < 5 && n + 1 < size; i++)
		if (masks[i] >> node & 1)
			ans[n++] = "pomnc"[i];
	ans[n] = '\0';
	if (!n)
		snprintf(ans, size, "-");
}

/* virtio-mem ops: "resize DEV FIRST:MIB" (the device's region starts at
 * block FIRST), "shrink? DEV FIRST:MIB", "blocks DEV".  Whether op was one. */
static bool virtio_mem_op(struct mhp_oracle *o, const char *verb, unsigned dev, const char *b, char *ans, size_t size)
{
	static const char *const expect[] = { "default", "ok", "fail", "any" };
	unsigned first = 0, mib = 0;

	sscanf(b, "%u:%u", &first, &mib);
	if (!strcmp(verb, "resize"))
		mhp_oracle_resize(o, dev, first, (uint64_t)mib << 20);
	else if (!strcmp(verb, "shrink?"))
		snprintf(ans, size, "%s", expect[mhp_oracle_shrink_expect(o, dev, first, (uint64_t)mib << 20)]);
	else if (!strcmp(verb, "blocks"))
		snprintf(ans, size, "%u", mhp_oracle_device_blocks(o, dev));
	else
		return false;
	return true;
}

static void run_script(struct mhp_oracle *o, const char *script, char *out, size_t size)
{
	char buf[1024], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", script);
	out[0] = '\0';
	for (char *op = strtok_r(buf, ";", &save); op; op = strtok_r(NULL, ";", &save)) {
		char verb[16] = "", a[32] = "", b[32] = "", ans[64] = "";
		static const char *const expect[] = { "default", "ok", "fail", "any" };

		sscanf(op, " %15s %31s %31s", verb, a, b);
		unsigned x = (unsigned)strtoul(a, NULL, 10);
		if (virtio_mem_op(o, verb, x, b, ans, sizeof(ans)))
			;
		else if (!strcmp(verb, "boot"))
			mhp_oracle_predict_boot(o);
		else if (!strcmp(verb, "auto"))
			o->auto_online = mhp_online_type_parse(a);
		else if (!strcmp(verb, "pageblock"))
			o->pageblock_order = x;
		else if (!strcmp(verb, "plug"))
			mhp_oracle_plug(o, x, (unsigned)strtoul(b, NULL, 10));
		else if (!strcmp(verb, "online"))
			mhp_oracle_online(o, x, (enum mhp_online_type)mhp_online_type_parse(b));
		else if (!strcmp(verb, "offline"))
			mhp_oracle_offline(o, x);
		else if (!strcmp(verb, "unplug"))
			mhp_oracle_unplug(o, x);
		else if (!strcmp(verb, "zone"))
			snprintf(ans, sizeof(ans), "%s", mhp_zone_name(mhp_oracle_zone_for(o, x, (enum mhp_online_type)mhp_online_type_parse(b))));
		else if (!strcmp(verb, "valid"))
			mhp_oracle_valid_zones(o, x, ans, sizeof(ans));
		else if (!strcmp(verb, "bootzone") || !strcmp(verb, "node")) {
			const struct mhp_oracle_block *blk = mhp_oracle_block(o, x);
			if (!blk)
				snprintf(ans, sizeof(ans), "(absent)");
			else if (verb[0] == 'b')
				snprintf(ans, sizeof(ans), "%s", mhp_zone_name(blk->zone));
			else
				snprintf(ans, sizeof(ans), "%u", blk->node);
		} else if (!strcmp(verb, "offline?"))
			snprintf(ans, sizeof(ans), "%s", expect[mhp_oracle_offline_expect(o, x)]);
		else if (!strcmp(verb, "unplug?"))
			snprintf(ans, sizeof(ans), "%s", expect[mhp_oracle_unplug_expect(o, x)]);
		else if (!strcmp(verb, "pages"))
			zone_pages_answer(o, x, b, ans, sizeof(ans));
		else if (!strcmp(verb, "hot")) {
			struct mhp_zone_hot h;
			mhp_oracle_zone_hot(o, x, mhp_zone_parse(b), &h);
			snprintf(ans, sizeof(ans), "%llu/%llu@%llx-%llx", (unsigned long long)h.present,
				 (unsigned long long)h.managed, (unsigned long long)h.lo_pfn, (unsigned long long)h.end_pfn);
		} else if (!strcmp(verb, "bootoff"))
			snprintf(ans, sizeof(ans), "%llu",
				 (unsigned long long)mhp_oracle_boot_offline_pages(o, x, mhp_zone_parse(b)));
		else if (!strcmp(verb, "states"))
			states_answer(o, x, ans, sizeof(ans));
		else if (!strcmp(verb, "present"))
			snprintf(ans, sizeof(ans), "%llu", (unsigned long long)mhp_oracle_hot_present_pages(o, x));
		else if (!strcmp(verb, "managed"))
			snprintf(ans, sizeof(ans), "%llu", (unsigned long long)(mhp_oracle_hot_managed_bytes(o, x) >> 20));
		else
			fail_msg("bad op '%s'", op);
		if (ans[0]) {
			strncat(out, out[0] ? " " : "", size - strlen(out) - 1);
			strncat(out, ans, size - strlen(out) - 1);
		}
	}
}

/* Node 2 has neither CPUs nor boot memory: SRAT names it by the hotplug
 * window only. */
#define CPULESS_NODE(kernel, dimms)                                                                           \
	"{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\" }, "         \
	"{ \"memory\": 0, \"cpus\": 0 } ], \"slots\": 2, \"maxmem\": \"4G\", \"kernel\": { " kernel " }, " \
	"\"dimms\": [ " dimms " ], \"steps\": [ { \"plug\": \"a\" } ] }"
#define DIMM_A_N2 "{ \"id\": \"a\", \"size\": \"128M\", \"node\": 2 }"
#define DIMM_B_N2 "{ \"id\": \"b\", \"size\": \"128M\", \"node\": 2 }"

/* Node 1 is flagged hot-pluggable under movable_node: its boot memory is
 * all ZONE_MOVABLE (it is neither node 0 nor the top node). */
#define HOTPLUGGABLE_MIDDLE                                                                                        \
	"{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\", \"hotpluggable\": true }, " \
	"{ \"memory\": \"512M\" } ], \"slots\": 2, \"maxmem\": \"4G\", \"kernel\": { \"movable_node\": true }, "     \
	"\"dimms\": [ " DIMM_A_1G " ], \"steps\": [ { \"plug\": \"a\" } ] }"

static const struct row rows[] = {
	/* What hot memory adds to a zone: "hot NODE ZONE" is present/managed@lo-end pfns */
	{ "hot memory in a zone: whole blocks present, the hull of the online ones",
	  TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; online 35 online_movable; hot 1 Movable; hot 1 Normal; "
	  "offline 35; hot 1 Movable", "65536/65536@100000-120000 0/0@0-0 32768/32768@100000-108000" },
	{ "memmap_on_memory: managed less the block's memmap, present all of it",
	  TWO_NODES("\"memmap_on_memory\": true", "{ \"id\": \"a\", \"size\": \"128M\", \"node\": 1 }"), 612,
	  "boot; plug 0 32; online 32 online_kernel; hot 1 Normal", "32768/32256@100000-108000" },
	/* Boot memory offline (offline_boot steps) */
	{ "a boot block with holes is refused (offline_pages(): memory holes), a whole one may go",
	  TWO_NODES("", DIMM_A_1G), 601, "boot; offline? 0; offline? 7; offline? 3", "fail fail any" },
	{ "a hot-pluggable node's boot Movable goes for sure; it leaves the node with its CPU only",
	  HOTPLUGGABLE_MIDDLE, 601,
	  "boot; bootzone 4; offline? 4; offline 4; offline 5; offline 6; offline 7; states 1; bootoff 1 Movable; "
	  "bootoff 1 Normal; bootoff 0 Movable", "Movable ok poc 131072 0 0" },
	{ "kernelcore='s boot Movable may hold boot allocations: either way",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\" }, "
	  "{ \"memory\": \"512M\" } ], \"slots\": 2, \"maxmem\": \"4G\", \"kernel\": { \"kernelcore\": \"768M\" }, "
	  "\"dimms\": [ " DIMM_A_1G " ], \"steps\": [ { \"plug\": \"a\" } ] }", 601,
	  "boot; bootzone 6; offline? 6", "Movable any" },
	/* Node states (oracle-nodes.c) */
	{ "boot: a node with CPUs and memory is in every state; a bare node is possible only",
	  CPULESS_NODE("", DIMM_A_N2), 601, "boot; states 0; states 1; states 2", "pomnc pomnc p" },
	{ "a plug onlines the bare node (__try_online_node), its online gives it memory",
	  CPULESS_NODE("", DIMM_A_N2), 601,
	  "boot; plug 0 32; states 2; present 2; online 32 online_movable; states 2; present 2", "po 0 pom 32768" },
	{ "online_kernel memory is normal memory; offlining it takes both away again",
	  CPULESS_NODE("", DIMM_A_N2), 612,
	  "boot; plug 0 32; online 32 online_kernel; states 2; offline 32; states 2", "pomn po" },
	{ "the unplug of its last DIMM offlines the bare node (try_offline_node)", CPULESS_NODE("", DIMM_A_N2), 601,
	  "boot; plug 0 32; online 32 online_movable; offline 32; unplug 0; states 2", "p" },
	{ "the bare node stays while another DIMM's block links to it (either order)",
	  CPULESS_NODE("", DIMM_A_N2 ", " DIMM_B_N2), 601,
	  "boot; plug 0 32; plug 1 33; unplug 0; states 2; plug 0 32; unplug 1; states 2; unplug 0; states 2",
	  "po po p" },
	{ "a memoryless node with a CPU is online from boot on and stays after its DIMM goes",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\" }, "
	  "{ \"memory\": 0, \"cpus\": 1 } ], \"slots\": 2, \"maxmem\": \"4G\", \"dimms\": [ " DIMM_A_N2 " ], "
	  "\"steps\": [ { \"plug\": \"a\" } ] }", 601,
	  "boot; states 2; plug 0 32; online 32 online_movable; states 2; unplug 0; states 2", "poc pomc poc" },
	{ "a hot-pluggable boot node under movable_node has memory but no normal memory", HOTPLUGGABLE_MIDDLE, 601,
	  "boot; bootzone 5; states 1", "Movable pomc" },

	/* zone_for_pfn_range() / default_zone_for_pfn() */
	{ "online_movable gives Movable, online_kernel Normal above 4G", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; zone 32 online_movable; zone 32 online_kernel", "Movable Normal" },
	{ "plain online without movable_node: the kernel zone", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; zone 32 online", "Normal" },
	{ "plain online with movable_node: Movable", TWO_NODES("\"movable_node\": true", DIMM_A_1G), 601,
	  "boot; plug 0 32; zone 32 online", "Movable" },
	{ "inside Movable's span only: Movable", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; online 34 online_movable; zone 33 online; zone 35 online",
	  "Movable Normal" },
	{ "inside both spans: the kernel zone without movable_node", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; online 33 online_kernel; online 35 online_movable; "
	  "online 36 online_kernel; zone 34 online", "Normal" },
	{ "offlining shrinks the span", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; online 34 online_movable; offline 34; zone 33 online", "Normal" },
	/* valid_zones_show() */
	{ "valid_zones of a fresh DIMM: Normal,Movable", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; valid 32; valid 39", "Normal,Movable Normal,Movable" },
	{ "valid_zones under movable_node: Movable,Normal", TWO_NODES("\"movable_node\": true", DIMM_A_1G), 601,
	  "boot; plug 0 32; valid 32", "Movable,Normal" },
	{ "valid_zones of online blocks: their zone", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; valid 32; valid 0; valid 1", "Movable none DMA32" },
	{ "valid_zones order does not depend on plug order (4.13)", TWO_NODES("", DIMM_A_1G ", " DIMM_B_512M), 601,
	  "boot; plug 1 40; plug 0 32; online 41 online_movable; valid 32; valid 40", "Normal,Movable Normal,Movable" },
	/* auto-movable */
	{ "auto-movable: a DIMM within the ratio goes Movable",
	  TWO_NODES("\"online_policy\": \"auto-movable\", \"auto_movable_ratio\": 100", DIMM_A_256M), 601,
	  "boot; plug 0 32; zone 32 online; valid 32", "Movable Movable,Normal" },
	{ "auto-movable: 512M on a 512M node is over ratio 100 (the firmware keeps 128K)",
	  TWO_NODES("\"online_policy\": \"auto-movable\", \"auto_movable_ratio\": 100", DIMM_A_512M), 601,
	  "boot; plug 0 32; zone 32 online", "Normal" },
	{ "auto-movable: a DIMM beyond the ratio goes to the kernel zone",
	  TWO_NODES("\"online_policy\": \"auto-movable\", \"auto_movable_ratio\": 100", DIMM_A_1G), 601,
	  "boot; plug 0 32; zone 32 online", "Normal" },
	{ "auto-movable: default ratio 301 takes 1G on a 512M node",
	  TWO_NODES("\"online_policy\": \"auto-movable\"", DIMM_A_1G), 612, "boot; plug 0 32; zone 32 online", "Movable" },
	{ "auto-movable: once part of the DIMM is kernel, the rest follows",
	  TWO_NODES("\"online_policy\": \"auto-movable\", \"auto_movable_ratio\": 100", DIMM_A_512M), 601,
	  "boot; plug 0 32; online 32 online_kernel; zone 33 online", "Normal" },
	{ "auto-movable ignores movable_node",
	  TWO_NODES("\"online_policy\": \"auto-movable\", \"auto_movable_ratio\": 100, \"movable_node\": true", DIMM_A_1G),
	  601, "boot; plug 0 32; zone 32 online", "Normal" },
	/* auto-online at plug time */
	{ "auto-online online: kernel zone, blocks online at plug", TWO_NODES("", DIMM_A_1G), 612,
	  "boot; auto online; plug 0 32; bootzone 32; bootzone 39", "Normal Normal" },
	{ "auto-online online_movable", TWO_NODES("", DIMM_A_1G), 601, "boot; auto online_movable; plug 0 32; bootzone 35",
	  "Movable" },
	/* outcomes */
	{ "Movable offline and unplug must succeed, kernel zones are not deterministic", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; unplug? 0; online 32 online_movable; offline? 32; unplug? 0; online 33 online_kernel; offline? 33; unplug? 0",
	  "ok ok ok any any" },
	{ "unplug takes the blocks out of the model", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; unplug 0; bootzone 32; zone 33 online", "(absent) -" },
	/* MemTotal: memmap_on_memory */
	{ "managed bytes: whole DIMM without memmap_on_memory", TWO_NODES("", DIMM_A_1G), 612,
	  "boot; plug 0 32; online 32 online_movable; online 33 online_movable; managed 1", "256" },
	{ "memmap_on_memory on 6.1: not for a multi-block DIMM", TWO_NODES("\"memmap_on_memory\": true", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; managed 1", "128" },
	{ "memmap_on_memory on 6.12: 2M of every block", TWO_NODES("\"memmap_on_memory\": true", DIMM_A_1G), 612,
	  "boot; plug 0 32; online 32 online_movable; managed 1", "126" },
	{ "memmap_on_memory needs whole pageblocks: none with order 10 (no HUGETLB)",
	  TWO_NODES("\"memmap_on_memory\": true", DIMM_A_1G), 612,
	  "boot; pageblock 10; plug 0 32; online 32 online_movable; managed 1", "128" },
	/* boot layout */
	{ "boot blocks: block 0 spans DMA and DMA32, nodes in order", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; bootzone 0; bootzone 1; node 3; node 4; bootzone 7", "none DMA32 0 1 DMA32" },
	{ "movablecore=256M: measured split 0x18400000 / 0x38000000",
	  TWO_NODES("\"movablecore\": \"256M\"", DIMM_A_1G), 601,
	  "boot; bootzone 2; bootzone 3; bootzone 6; bootzone 7", "DMA32 none DMA32 Movable" },
	{ "SRAT hot-pluggable + movable_node: only the middle node goes Movable",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\", \"hotpluggable\": true }, "
	  "{ \"memory\": \"512M\", \"hotpluggable\": true }, { \"memory\": \"512M\", \"hotpluggable\": true } ], "
	  "\"slots\": 1, \"maxmem\": \"4G\", \"kernel\": { \"movable_node\": true }, "
	  "\"dimms\": [ " DIMM_A_1G " ], \"steps\": [ { \"plug\": \"a\" } ] }", 601,
	  "boot; bootzone 3; bootzone 4; bootzone 7; bootzone 8", "DMA32 Movable Movable DMA32" },
	{ "interleaved ranges: boot blocks dealt round-robin",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"256M\" }, { \"memory\": \"256M\" } ], \"interleave\": \"128M\", "
	  "\"slots\": 1, \"maxmem\": \"2G\", \"dimms\": [ { \"id\": \"a\", \"size\": \"128M\", \"node\": 1 } ], "
	  "\"steps\": [ { \"plug\": \"a\" } ] }", 601, "boot; node 0; node 1; node 2; node 3", "0 1 0 1" },
	/* zone pages (hot-added zones only) */
	{ "zone pages: present and spanned of Movable follow its blocks", TWO_NODES("", DIMM_A_1G), 601,
	  "boot; plug 0 32; pages 1 Movable; online 32 online_movable; online 35 online_movable; pages 1 Movable; "
	  "offline 32; pages 1 Movable; pages 1 DMA32; pages 1 Normal",
	  "0/0 65536/131072 32768/32768 unknown 0/0" },
	{ "zone pages: unknown where boot memory is in the zone or a boot block straddles DMA32 and Movable",
	  TWO_NODES("\"movablecore\": \"256M\"", DIMM_A_1G), 601,
	  "boot; plug 0 32; online 32 online_movable; pages 0 Movable; pages 1 Normal; pages 1 Movable",
	  "unknown 0/0 unknown" },
	/* more of the rules */
	{ "kernelcore=256M: 128M of kernel memory a node (from 16M on), the rest Movable",
	  TWO_NODES("\"kernelcore\": \"256M\"", DIMM_A_1G), 601,
	  "boot; bootzone 0; bootzone 1; bootzone 2; bootzone 4; bootzone 5; bootzone 7",
	  "none none Movable DMA32 Movable Movable" },
	{ "movable_node: kernelcore= is ignored, with no hot-pluggable range nothing is Movable at boot",
	  TWO_NODES("\"kernelcore\": \"256M\", \"movable_node\": true", DIMM_A_1G), 601,
	  "boot; bootzone 1; bootzone 2; bootzone 5; bootzone 7", "DMA32 DMA32 DMA32 DMA32" },
	{ "auto-movable is NUMA aware: within the ratio globally but not on the node",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"1G\" }, { \"memory\": \"256M\" } ], "
	  "\"slots\": 2, \"maxmem\": \"4G\", \"kernel\": { \"online_policy\": \"auto-movable\", "
	  "\"auto_movable_ratio\": 100 }, \"dimms\": [ " DIMM_A_512M " ], \"steps\": [ { \"plug\": \"a\" } ] }", 601,
	  "boot; plug 0 32; zone 32 online", "Normal" },
	{ "memmap_on_memory on 6.1: a one-block DIMM keeps its memmap on itself",
	  TWO_NODES("\"memmap_on_memory\": true", "{ \"id\": \"a\", \"size\": \"128M\", \"node\": 1 }"), 601,
	  "boot; plug 0 32; online 32 online_movable; managed 1", "126" },
	{ "many DIMMs: the model grows past its first capacity",
	  TWO_NODES("", DIMM_A_1G ", " DIMM_B_512M ", { \"id\": \"c\", \"size\": \"1G\", \"node\": 0 }"), 612,
	  "boot; auto online_movable; plug 0 32; plug 1 40; plug 2 44; node 44; bootzone 51; unplug 1; bootzone 40; "
	  "bootzone 51; managed 0; managed 1", "0 Movable (absent) Movable 1024 1024" },
	{ "virtio-mem: blocks come from the bottom of the region, onlined Movable by auto-online",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online_movable\""), 601,
	  "boot; auto online_movable; resize 0 32:512; blocks 0; bootzone 32; bootzone 35; bootzone 36; node 33",
	  "4 Movable Movable (absent) 1" },
	{ "virtio-mem: a shrink of Movable memory must give the top blocks back",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online_movable\""), 612,
	  "boot; auto online_movable; resize 0 32:512; shrink? 0 32:256; resize 0 32:256; blocks 0; bootzone 33; "
	  "bootzone 34; shrink? 0 32:0; resize 0 32:0; blocks 0", "ok 2 Movable (absent) ok 0" },
	{ "virtio-mem: a size that fills the top block in part leaves the rest of it unplugged, not managed",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online_movable\""), 601,
	  "boot; auto online_movable; resize 0 32:200; blocks 0; managed 1; hot 1 Movable; resize 0 32:300; blocks 0; "
	  "managed 1; resize 0 32:100; blocks 0; managed 1; shrink? 0 32:0",
	  "2 200 65536/51200@100000-110000 3 300 1 100 ok" },
	{ "virtio-mem: plain auto-online is Normal without movable_node, and its shrink may keep memory",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online\""), 601,
	  "boot; auto online; resize 0 32:256; bootzone 32; bootzone 33; shrink? 0 32:128; managed 1", "Normal Normal any 256" },
	{ "virtio-mem: under movable_node plain auto-online is Movable (default_zone_for_pfn())",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online\", \"movable_node\": true"), 601,
	  "boot; auto online; resize 0 40:128; bootzone 40; bootzone 41", "Movable (absent)" },
	/* auto-movable, ratio 100: node 1 has 512M less 128K of early kernel
	 * memory, so 384M may be Movable, and each kernel block of the
	 * device's own dynamic group adds 128M to what it may have. */
	{ "virtio-mem under auto-movable: a dynamic group's own kernel memory lets more of it be Movable",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online\", \"online_policy\": \"auto-movable\", "
			   "\"auto_movable_ratio\": 100"), 601,
	  "boot; auto online; resize 0 32:768; bootzone 32; bootzone 34; bootzone 35; bootzone 36; bootzone 37",
	  "Movable Movable Normal Movable Normal" },
	{ "virtio-mem shrink: Movable blocks go first, top down, a kernel-zone block above them stays",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online\", \"online_policy\": \"auto-movable\", "
			   "\"auto_movable_ratio\": 100"), 612,
	  "boot; auto online; resize 0 32:768; shrink? 0 32:512; resize 0 32:512; bootzone 37; bootzone 36; "
	  "bootzone 35; bootzone 34; resize 0 32:640; bootzone 34; shrink? 0 32:256; shrink? 0 32:0",
	  "ok Normal (absent) Normal (absent) Movable ok any" },
	{ "virtio-mem shrink: a partly plugged block is emptied first, a grow fills it first",
	  VIRTIO_MEM_NODE1("\"memhp_default_state\": \"online_movable\""), 601,
	  "boot; auto online_movable; resize 0 32:200; resize 0 32:136; blocks 0; managed 1; resize 0 32:72; blocks 0; "
	  "resize 0 32:256; blocks 0; managed 1", "2 136 1 2 256" },
	{ "auto-movable: a DIMM (static group) and a virtio-mem device (dynamic) share the ratio",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\" } ], \"slots\": 1, "
	  "\"maxmem\": \"4G\", \"kernel\": { \"memhp_default_state\": \"online\", \"online_policy\": \"auto-movable\", "
	  "\"auto_movable_ratio\": 100 }, \"dimms\": [ " DIMM_A_256M ", { \"id\": \"vm0\", \"kind\": \"virtio-mem\", "
	  "\"node\": 1, \"max_size\": \"1G\" } ], \"steps\": [ { \"plug\": \"a\" } ] }", 601,
	  "boot; auto online; plug 0 40; bootzone 41; resize 1 32:384; bootzone 33; bootzone 34; resize 1 32:512; "
	  "bootzone 35; unplug? 0", "Movable Normal Movable Normal ok" },
	{ "a DIMM lands on the node whose pxm is its QEMU node",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\", \"pxm\": 1 }, { \"memory\": \"512M\", \"pxm\": 0 } ], "
	  "\"slots\": 1, \"maxmem\": \"4G\", \"dimms\": [ " DIMM_A_1G " ], \"steps\": [ { \"plug\": \"a\" } ] }", 601,
	  "boot; plug 0 32; node 32", "0" },
};

static void test_row(void **state)
{
	const struct row *row = *state;
	struct mhp_topology t;
	struct mhp_oracle o;
	char err[256], got[512];

	if (mhp_topology_parse(&t, "t.json", row->topology, err, sizeof(err)) < 0)
		fail_msg("topology: %s", err);
	mhp_oracle_init(&o, &t, row->kver, MHP_BLOCK_SIZE);
	run_script(&o, row->script, got, sizeof(got));
	if (strcmp(got, row->answers))
		fail_msg("answers '%s', want '%s'", got, row->answers);
	mhp_oracle_release(&o);
	mhp_topology_release(&t);
}

struct node_row {
	const char *name, *topology, *kernel_nodes;
};

static const struct node_row node_rows[] = {
	{ "CPU nodes in order", "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"256M\" }, { \"memory\": \"256M\" } ], "
	  "\"slots\": 1, \"maxmem\": \"1G\", \"dimms\": [ { \"id\": \"a\", \"size\": \"128M\", \"node\": 0 } ], "
	  "\"steps\": [ { \"plug\": \"a\" } ] }", "0 1" },
	{ "a CPU-less node comes after the CPU nodes",
	  "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"256M\" }, { \"memory\": \"256M\", \"cpus\": 0 }, "
	  "{ \"memory\": \"256M\" } ], \"slots\": 1, \"maxmem\": \"1G\", "
	  "\"dimms\": [ { \"id\": \"a\", \"size\": \"128M\", \"node\": 0 } ], \"steps\": [ { \"plug\": \"a\" } ] }", "0 2 1" },
};

static void test_kernel_nodes(void **state)
{
	const struct node_row *row = *state;
	struct mhp_topology t;
	char err[256], got[64] = "";

	if (mhp_topology_parse(&t, "t.json", row->topology, err, sizeof(err)) < 0)
		fail_msg("topology: %s", err);
	for (unsigned i = 0; i < t.nr_nodes; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u", i ? " " : "", mhp_topology_kernel_node(&t, i));
	assert_string_equal(got, row->kernel_nodes);
	mhp_topology_release(&t);
}

static void test_version_code(void **state)
{
	(void)state;
	assert_int_equal(mhp_kernel_version_code("6.1.0-56-amd64"), 601);
	assert_int_equal(mhp_kernel_version_code("6.12.117+deb12-amd64 (debian-kernel@lists.debian.org)"), 612);
	assert_int_equal(mhp_kernel_version_code("garbage"), 0);
	assert_int_equal(mhp_kernel_version_code(NULL), 0);
}

/* The kernel's zone names come from guest-init/wire.h, the oracle's own
 * ("-" offline, "none" mixed) from the oracle. */
static void test_names(void **state)
{
	static const char *const want[] = { "-", "DMA", "DMA32", "Normal", "Movable", "none" };

	(void)state;
	for (int z = MHP_ZONE_OFF; z <= MHP_ZONE_MIXED; z++) {
		assert_string_equal(mhp_zone_name((enum mhp_zone)z), want[z]);
		assert_int_equal(mhp_zone_parse(want[z]), z);
	}
	assert_string_equal(mhp_zone_name((enum mhp_zone)(MHP_ZONE_MIXED + 1)), "?");
	assert_int_equal(mhp_zone_parse("Device"), MHP_ZONE_OFF);
	assert_int_equal(mhp_zone_parse("movable"), MHP_ZONE_OFF);
	assert_int_equal(mhp_zone_parse(""), MHP_ZONE_OFF);
	assert_int_equal(mhp_online_type_parse("online"), MHP_ONLINE);
	assert_int_equal(mhp_online_type_parse("online_kernel"), MHP_ONLINE_KERNEL);
	assert_int_equal(mhp_online_type_parse("online_movable"), MHP_ONLINE_MOVABLE);
	assert_int_equal(mhp_online_type_parse("offline"), -1);
	assert_int_equal(mhp_online_type_parse("online_normal"), -2);
	assert_int_equal(mhp_online_type_parse(""), -2);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_row, rows);
	TEST_ROWS(&l, test_kernel_nodes, node_rows);
	TEST_ONE(&l, test_version_code);
	TEST_ONE(&l, test_names);
	return TEST_RUN("oracle", &l);
}
