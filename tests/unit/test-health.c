/* Kernel health: finding splats in a console log. */
#include <string.h>

#include "testutil.h"
#include "report/health.h"

static const char console[] =
	"[    0.000000] Linux version 6.12.117\r\n"
	"[    0.045499] ------------[ cut here ]------------\r\n"
	"[    0.045499] WARNING: CPU: 1 PID: 0 at arch/x86/kernel/smpboot.c:350 topology_sane+0x6b/0x80\r\n"
	"[    0.045499] Modules linked in:\r\n"
	"[    0.045499] Call Trace:\r\n"
	"[    0.045499]  set_cpu_sibling_map+0x16c/0x670\r\n"
	"[    0.045499] ---[ end trace 0000000000000000 ]---\r\n"
	"[    0.710172] smp: Brought up 2 nodes, 2 CPUs\r\n"
	"[    2.100000] memory memory32: Offline failed.\r\n"
	"[    2.534719] BUG: Bad page state in process init  pfn:100000\r\n"
	"[    2.534720] page dumped because: nonzero mapcount\r\n"
	"[    3.534719] Kernel panic - not syncing: sysrq triggered crash\r\n"
	"[    3.535539] CPU: 0 UID: 0 PID: 1 Comm: init\r\n"
	"[    3.600000] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\r\n";

static void test_scan(void **state)
{
	(void)state;
	struct mhp_splat s[8];
	size_t n = mhp_health_scan(console, s, 8);

	assert_int_equal(n, 3);
	assert_string_equal(s[0].first, "WARNING: CPU: 1 PID: 0 at arch/x86/kernel/smpboot.c:350 topology_sane+0x6b/0x80");
	/* The WARN's own Call Trace is part of it, not a second splat. */
	assert_non_null(strstr(s[0].text, "set_cpu_sibling_map"));
	assert_non_null(strstr(s[0].text, "---[ end trace"));
	assert_null(strchr(s[0].text, '\r'));
	assert_string_equal(s[1].first, "BUG: Bad page state in process init  pfn:100000");
	assert_string_equal(s[2].first, "Kernel panic - not syncing: sysrq triggered crash");
	assert_non_null(strstr(s[2].text, "end Kernel panic"));
	for (size_t i = 0; i < n; i++)
		mhp_splat_release(&s[i]);
}

struct clean_row {
	const char *name, *console;
};

static const struct clean_row clean_rows[] = {
	{ "a healthy boot", "[    0.1] Linux version 6.1\n[    0.2] Memory: 391932K/1048056K available\n" },
	{ "an offline refusal is not a splat", "[    2.1] memory memory32: Offline failed.\n" },
	{ "words inside a line do not count", "[    1.0] random: crng init done (no WARNING: here)\n" },
	{ "empty", "" },
	{ "a sysrq task dump asked for is not a splat",
	  "[    5.0] sysrq: Show State\n[    5.0] task:init            state:S stack:0     pid:1\n"
	  "[    5.0] Call Trace:\n[    5.0]  <TASK>\n[    5.0]  __schedule+0x2f3/0x890\n[    5.0]  </TASK>\n"
	  "[    5.1] task:kthreadd        state:S stack:0     pid:2\n[    5.1] Call Trace:\n" },
};

/* After a sysrq dump a real splat is still one. */
static void test_splat_after_sysrq(void **state)
{
	(void)state;
	struct mhp_splat s[2];
	const char *console = "[    5.0] sysrq: Show Blocked State\n[    5.0] Call Trace:\n"
			      "[    6.0] WARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1 f+0x1/0x2\n"
			      "[    6.0] Call Trace:\n[    6.0] ---[ end trace 0 ]---\n";

	assert_int_equal(mhp_health_scan(console, s, 2), 1);
	assert_string_equal(s[0].first, "WARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1 f+0x1/0x2");
	mhp_splat_release(&s[0]);
	/* A bare stack dump (dump_stack) well after the sysrq burst is one. */
	const char *later = "[    5.0] sysrq: Show State\n[    5.1] Call Trace:\n[    9.0] Call Trace:\n"
			    "[    9.0]  dump_stack_lvl+0x1/0x2\n";
	assert_int_equal(mhp_health_scan(later, s, 2), 1);
	assert_string_equal(s[0].first, "Call Trace:");
	mhp_splat_release(&s[0]);
}

/* A page fault prints its "BUG:" header, then "Oops:" (6.12: "Oops:
 * Oops:"), registers and the trace: one splat, whose text holds the RIP a
 * title is taken from. */
static void test_page_fault_one_splat(void **state)
{
	static const char fault[] =
		"[   12.100000] BUG: unable to handle page fault for address: ffffea0004000008\r\n"
		"[   12.100001] #PF: supervisor read access in kernel mode\r\n"
		"[   12.100002] Oops: Oops: 0000 [#1] PREEMPT SMP NOPTI\r\n"
		"[   12.100003] RIP: 0010:__free_one_page+0x8c/0x3a0\r\n"
		"[   12.100004] Call Trace:\r\n"
		"[   12.100005]  free_pcppages_bulk+0x1a0/0x2c0\r\n"
		"[   12.100006] ---[ end trace 0000000000000000 ]---\r\n";
	struct mhp_splat s[4];

	(void)state;
	assert_int_equal(mhp_health_scan(fault, s, 4), 1);
	assert_string_equal(s[0].first, "BUG: unable to handle page fault for address: ffffea0004000008");
	assert_non_null(strstr(s[0].text, "RIP: 0010:__free_one_page"));
	mhp_splat_release(&s[0]);
}

static void test_clean(void **state)
{
	const struct clean_row *row = *state;
	struct mhp_splat s[2];

	assert_int_equal(mhp_health_scan(row->console, s, 2), 0);
}

static void test_limit(void **state)
{
	(void)state;
	char big[8192] = "";
	struct mhp_splat s[2];

	strcat(big, "[ 1.0] BUG: unable to handle page fault\n");
	for (int i = 0; i < 100; i++)
		strcat(big, "[ 1.0]  frame\n");
	assert_int_equal(mhp_health_scan(big, s, 2), 1);
	/* At most MHP_SPLAT_MAX_LINES lines quoted. */
	size_t lines = 0;
	for (const char *p = s[0].text; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, MHP_SPLAT_MAX_LINES);
	mhp_splat_release(&s[0]);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_scan);
	TEST_ONE(&l, test_splat_after_sysrq);
	TEST_ONE(&l, test_page_fault_one_splat);
	TEST_ROWS(&l, test_clean, clean_rows);
	TEST_ONE(&l, test_limit);
	return TEST_RUN("health", &l);
}
