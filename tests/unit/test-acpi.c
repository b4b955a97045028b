/* The generated SRAT: its source, what iasl makes of it, and the memory map
 * `mhp topo show` draws from the same model. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "acpi/acpi.h"
#include "acpi/iasl.h"
#include "model/topo-show.h"
#include "model/topology.h"

static const char three_nodes[] =
	"{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\", \"hotpluggable\": true }, "
	"{ \"memory\": \"256M\", \"pxm\": 7, \"cpus\": 2 }, { \"memory\": 0, \"cpus\": 1, \"pxm\": 9 } ], "
	"\"slots\": 2, \"maxmem\": \"4G\", \"dimms\": [ { \"id\": \"a\", \"size\": \"128M\", \"node\": 0 } ], "
	"\"steps\": [ { \"plug\": \"a\" } ] }";

static void load(struct mhp_topology *t, const char *text)
{
	char err[256];

	if (mhp_topology_parse(t, "t.json", text, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_srat_source(void **state)
{
	(void)state;
	struct mhp_topology t;

	load(&t, three_nodes);
	assert_true(t.srat); /* a pxm other than the index needs our SRAT */
	char *src = mhp_acpi_srat_source(&t, 2);
	assert_non_null(strstr(src, "Oem ID : \"BOCHS \""));
	assert_non_null(strstr(src, "Oem Table ID : \"BXPC    \""));
	assert_non_null(strstr(src, "Oem Revision : 00000002"));
	/* four CPUs (1 + 2 + 1), APIC ids in node order */
	assert_int_equal(count(src, "Processor Local APIC/SAPIC Affinity"), 4);
	assert_non_null(strstr(src, "Proximity Domain Low(8) : 07\n[0001]                            Apic ID : 02"));
	assert_non_null(strstr(src, "Proximity Domain Low(8) : 09\n[0001]                            Apic ID : 03"));
	/* node 0 split around 640K-1M, node 1 whole, node 2 none, the window */
	assert_int_equal(count(src, "[Memory Affinity]"), 4);
	assert_non_null(strstr(src, "Base Address : 0000000000000000\n[0008]                     Address Length : 00000000000A0000"));
	assert_non_null(strstr(src, "Base Address : 0000000000100000\n[0008]                     Address Length : 000000001FF00000"));
	assert_non_null(strstr(src, "Base Address : 0000000020000000\n[0008]                     Address Length : 0000000010000000"));
	/* hotplug window on the last node's domain, 4G + (4G - 768M) + 2 x 1G */
	assert_non_null(strstr(src, "Proximity Domain : 00000009\n[0002]                          Reserved1 : 0000\n"
				    "[0008]                       Base Address : 0000000100000000\n"
				    "[0008]                     Address Length : 0000000150000000"));
	/* node 0's ranges are hot-pluggable, node 1's are not */
	assert_int_equal(count(src, "Hot Pluggable : 1"), 3);
	free(src);
	mhp_topology_release(&t);
}

/* iasl compiles it, and its disassembly gives back what we meant. */
static void test_srat_through_iasl(void **state)
{
	(void)state;
	char dir[] = "/tmp/mhp-acpi-XXXXXX";
	struct mhp_topology t;
	char *log = NULL;

	assert_non_null(mkdtemp(dir));
	load(&t, three_nodes);
	char *src = mhp_acpi_srat_source(&t, 2), *dsl = mhp_xasprintf("%s/srat.dsl", dir);
	char *prefix = mhp_xasprintf("%s/srat", dir), *aml = mhp_xasprintf("%s/srat.aml", dir);
	char *back = mhp_xasprintf("%s/back", dir), *back_dsl = mhp_xasprintf("%s/back.dsl", dir), *text = NULL;
	assert_int_equal(mhp_write_file_atomic(dsl, src, strlen(src)), 0);
	if (mhp_iasl_compile(dsl, prefix, &log) < 0)
		fail_msg("iasl failed:\n%s", log);
	free(log);
	assert_int_equal(mhp_iasl_disassemble(aml, back, &log), 0);
	assert_int_equal(mhp_read_file(back_dsl, 1 << 20, &text, NULL), 0);
	assert_non_null(strstr(text, "Table Length : 00000110")); /* 48 + 4 x 16 + 4 x 40 = 272 */
	assert_non_null(strstr(text, "Oem Revision : 00000002"));
	assert_non_null(strstr(text, "Address Length : 0000000150000000"));
	free(text);
	free(log);
	/* A broken source: iasl's complaint comes back as one line. */
	/* Without a flag's decoded line iasl reports an error; with a wrong
	 * field label, iasl 20200925 crashes instead: both are failures. */
	const char *line = "                                  Enabled : 1\n";
	char *decoded = strstr(src, line);
	memmove(decoded, decoded + strlen(line), strlen(decoded + strlen(line)) + 1);
	assert_int_equal(mhp_write_file_atomic(dsl, src, strlen(src)), 0);
	assert_int_equal(mhp_iasl_compile(dsl, prefix, &log), -EINVAL);
	char *why = mhp_iasl_summary(log);
	assert_non_null(strstr(why, "Error"));
	assert_null(strchr(why, '\n'));
	free(why);
	free(log);
	char *pre = mhp_xasprintf("%s/srat.pre", dir);
	char *files[] = { dsl, aml, back_dsl, pre };
	for (size_t i = 0; i < 4; i++)
		unlink(files[i]);
	free(pre);
	assert_int_equal(rmdir(dir), 0); /* iasl left nothing else behind */
	free(src), free(dsl), free(prefix), free(aml), free(back), free(back_dsl);
	mhp_topology_release(&t);
}

static void test_upgrade_line(void **state)
{
	(void)state;
	char line[128];

	mhp_acpi_upgrade_line("SRAT", line, sizeof(line));
	assert_string_equal(line, "ACPI: Table Upgrade: override [SRAT-BOCHS -BXPC    ]");
}

static void test_topo_show(void **state)
{
	(void)state;
	struct mhp_topology t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	load(&t, three_nodes);
	mhp_topo_show(f, &t);
	fclose(f);
	assert_non_null(strstr(buf, "  0x0000000000000000-0x000000001fffffff    512 MiB  node 0 (pxm 0)  blocks 0-3  hot-pluggable (SRAT)\n"));
	assert_non_null(strstr(buf, "  0x0000000020000000-0x000000002fffffff    256 MiB  node 1 (pxm 7)  blocks 4-5\n"));
	assert_non_null(strstr(buf, "  node 2: 1 CPU, 0 MiB (memoryless), pxm 9 -> kernel node 2\n"));
	assert_non_null(strstr(buf, "  a               128 MiB  QEMU node 0 = _PXM 0 -> kernel node 0  address chosen by QEMU\n"));
	free(buf);
	mhp_topology_release(&t);
}

/* A virtio-mem device listed before a DIMM with a _PXM: the DIMM is in the
 * first ACPI slot (slots count DIMMs only); the device's mode and what it
 * has plugged at boot are said. */
static void test_topo_show_devices(void **state)
{
	(void)state;
	struct mhp_topology t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	load(&t, "{ \"name\": \"t\", \"nodes\": [ { \"memory\": \"512M\" }, { \"memory\": \"512M\" } ], \"slots\": 1, "
		 "\"maxmem\": \"4G\", \"kernel\": { \"memhp_default_state\": \"online_movable\" }, \"dimms\": [ "
		 "{ \"id\": \"vm0\", \"kind\": \"virtio-mem\", \"node\": 1, \"max_size\": \"1G\", \"block_size\": \"128M\", "
		 "\"requested_size\": \"256M\" }, { \"id\": \"d\", \"size\": \"128M\", \"node\": 1, \"pxm\": 0 } ], "
		 "\"steps\": [ { \"plug\": \"d\" } ] }");
	mhp_topo_show(f, &t);
	fclose(f);
	assert_non_null(strstr(buf, "  vm0            1024 MiB  virtio-mem, 131072 KiB device blocks (Big Block Mode), 256 MiB "
				    "plugged at boot, QEMU node 1 = proximity domain 1 -> kernel node 1"));
	assert_non_null(strstr(buf, "  d               128 MiB  QEMU node 1, slot 0, _PXM 0 (regenerated DSDT) -> kernel node 0"));
	free(buf);
	mhp_topology_release(&t);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_srat_source);
	TEST_ONE(&l, test_srat_through_iasl);
	TEST_ONE(&l, test_upgrade_line);
	TEST_ONE(&l, test_topo_show);
	TEST_ONE(&l, test_topo_show_devices);
	return TEST_RUN("acpi", &l);
}
