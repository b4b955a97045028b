/* Crash titles: x86_64 console splats (6.1 and 6.12, as mhp_health_scan()
 * cuts them) into syzkaller-style deduplication titles. */
#include <string.h>

#include "testutil.h"
#include "fuzz/splat-title.h"
#include "report/health.h"

/* One console line with its printk timestamp. */
#define L(ts, s) "[" ts "] " s "\n"
#define QEMU_I440FX "Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3-debian-1.16.3-2 04/01/2014"
#define QEMU_Q35 "Hardware name: QEMU Standard PC (Q35 + ICH9, 2009), BIOS 1.16.3-debian-1.16.3-2 04/01/2014"
#define REGS(ts)                                                                          \
	L(ts, "RAX: 0000000000000000 RBX: 0000000000140000 RCX: 0000000000000000")        \
	L(ts, "RDX: 0000000000000000 RSI: 0000000000008000 RDI: ffff88813fffa5c0")        \
	L(ts, "RBP: 0000000000008000 R08: 0000000000000000 R09: 0000000000000000")        \
	L(ts, "R10: 0000000000000000 R11: 0000000000000000 R12: 0000000000148000")        \
	L(ts, "R13: ffff88813fffa5c0 R14: 0000000000000000 R15: ffff888100e3a000")        \
	L(ts, "FS:  00007f0c2e9f4740(0000) GS:ffff88813bd00000(0000) knlGS:0000000000000000") \
	L(ts, "CS:  0010 DS: 0000 ES: 0000 CR0: 0000000080050033")                        \
	L(ts, "CR2: 000055f1e7a5f0a8 CR3: 0000000104c2e000 CR4: 00000000000006f0")
/* The sysfs write that onlines or offlines a memory block. */
#define SYSFS_WRITE(ts)                                          \
	L(ts, " kernfs_fop_write_iter+0x13c/0x1d0")              \
	L(ts, " vfs_write+0x2a3/0x460")                          \
	L(ts, " ksys_write+0x6b/0xf0")                           \
	L(ts, " do_syscall_64+0x82/0x160")                       \
	L(ts, " entry_SYSCALL_64_after_hwframe+0x76/0x7e")
/* QEMU's ACPI eject of a DIMM, run by the kacpi_hotplug worker. */
#define ACPI_EJECT(ts)                                      \
	L(ts, " acpi_memory_device_remove+0x73/0xf0")       \
	L(ts, " acpi_bus_trim+0x4e/0x90")                   \
	L(ts, " acpi_scan_hot_remove+0x1d5/0x2c0")          \
	L(ts, " acpi_device_hotplug+0x2a1/0x4d0")           \
	L(ts, " acpi_hotplug_work_fn+0x1d/0x30")            \
	L(ts, " process_one_work+0x1c7/0x380")              \
	L(ts, " worker_thread+0x4d/0x380")                  \
	L(ts, " kthread+0xe9/0x110")                        \
	L(ts, " ret_from_fork+0x22/0x30")

static const char warning_612[] =
	L("   61.203601", "WARNING: CPU: 1 PID: 1 at mm/memory_hotplug.c:1928 offline_pages+0x4a1/0x5c0")
	L("   61.204103", "Modules linked in:")
	L("   61.204331", "CPU: 1 UID: 0 PID: 1 Comm: init Not tainted 6.12.17 #1")
	L("   61.204875", QEMU_I440FX)
	L("   61.205502", "RIP: 0010:offline_pages+0x4a1/0x5c0")
	L("   61.205866", "Code: 89 df e8 d9 e1 ff ff 48 8b 3c 24 e8 b0 64 c6 00 e9 86 fd ff ff 48 c7 c7 a8 2e 7b 82 e8 "
			"9f 3f e7 ff <0f> 0b 41 bc f0 ff ff ff e9 5f fe ff ff 0f 0b e9 78 fc ff ff")
	L("   61.206997", "RSP: 0018:ffffc90000013d28 EFLAGS: 00010246")
	REGS("   61.207314")
	L("   61.211021", "Call Trace:")
	L("   61.211203", " <TASK>")
	L("   61.211363", " ? __warn+0x81/0x130")
	L("   61.211598", " ? offline_pages+0x4a1/0x5c0")
	L("   61.211876", " ? report_bug+0x171/0x1a0")
	L("   61.212131", " ? handle_bug+0x3c/0x80")
	L("   61.212371", " ? exc_invalid_op+0x17/0x70")
	L("   61.212629", " ? asm_exc_invalid_op+0x1a/0x20")
	L("   61.212905", " ? offline_pages+0x4a1/0x5c0")
	L("   61.213162", " memory_subsys_offline+0x17d/0x1f0")
	L("   61.213449", " device_offline+0xe4/0x110")
	L("   61.213702", " state_store+0x65/0xf0")
	SYSFS_WRITE("   61.213933")
	L("   61.215229", "RIP: 0033:0x7f0c2eb0b154")
	L("   61.215475", "RSP: 002b:00007ffd7d1f1e68 EFLAGS: 00000202 ORIG_RAX: 0000000000000001")
	L("   61.215900", " </TASK>")
	L("   61.216080", "---[ end trace 0000000000000000 ]---");

/* The same WARN on another boot: another CPU, PID, clock, line and build,
 * and the serial console's "\r\n". */
static const char warning_61_crlf[] =
	"[  118.004512] WARNING: CPU: 0 PID: 312 at mm/memory_hotplug.c:1931 offline_pages+0x4b9/0x5d0\r\n"
	"[  118.004820] Modules linked in:\r\n"
	"[  118.004990] CPU: 0 PID: 312 Comm: mhp-init Tainted: G        W          6.1.117 #1\r\n"
	"[  118.005310] " QEMU_Q35 "\r\n"
	"[  118.005622] RIP: 0010:offline_pages+0x4b9/0x5d0\r\n"
	"[  118.006102] RSP: 0018:ffffc900004bbd30 EFLAGS: 00010246\r\n"
	"[  118.007410] Call Trace:\r\n"
	"[  118.007502]  <TASK>\r\n"
	"[  118.007610]  memory_subsys_offline+0x181/0x200\r\n"
	"[  118.008803]  </TASK>\r\n"
	"[  118.008990] ---[ end trace 0000000000000000 ]---\r\n";

static const char warning_online[] =
	L("   19.511230", "WARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1105 online_pages+0x2b4/0x300")
	L("   19.511502", "Modules linked in:")
	L("   19.511630", "CPU: 0 PID: 1 Comm: init Not tainted 6.1.117 #1")
	L("   19.511790", QEMU_I440FX)
	L("   19.512001", "RIP: 0010:online_pages+0x2b4/0x300")
	L("   19.512400", "Call Trace:")
	L("   19.512410", " <TASK>")
	L("   19.512420", " memory_subsys_online+0x15c/0x1e0")
	L("   19.512430", " </TASK>");

static const char refcount_61[] =
	L("   88.412107", "WARNING: CPU: 0 PID: 57 at lib/refcount.c:28 refcount_warn_saturate+0xba/0x110")
	L("   88.412418", "Modules linked in:")
	L("   88.412560", "CPU: 0 PID: 57 Comm: kworker/u4:2 Not tainted 6.1.117 #1")
	L("   88.412801", QEMU_Q35)
	L("   88.413050", "Workqueue: kacpi_hotplug acpi_hotplug_work_fn")
	L("   88.413301", "RIP: 0010:refcount_warn_saturate+0xba/0x110")
	L("   88.413622", "Code: 01 01 e8 a9 8b 4f 00 0f 0b c3 cc cc cc cc 80 3d 6f 2c 4b 01 00 75 85 48 c7 c7 d8 6c 2b 82 "
			"c6 05 5f 2c 4b 01 01 e8 86 8b 4f 00 <0f> 0b c3 cc cc cc cc")
	L("   88.414109", "RSP: 0018:ffffc900001f3cf8 EFLAGS: 00010286")
	REGS("   88.414402")
	L("   88.416930", "Call Trace:")
	L("   88.417011", " <TASK>")
	L("   88.417102", " kobject_put+0xa9/0x1c0")
	L("   88.417230", " put_device+0x13/0x20")
	L("   88.417355", " remove_memory_block_devices+0x8c/0xd0")
	L("   88.417481", " try_remove_memory+0x10d/0x1d0")
	L("   88.417602", " __remove_memory+0x14/0x30")
	ACPI_EJECT("   88.417730")
	L("   88.418911", " </TASK>")
	L("   88.419020", "---[ end trace 0000000000000000 ]---");

/* A 6.1 page fault whole, as syzkaller sees it: header, Oops, RIP, trace. */
#define PAGE_FAULT_HEADER(ts, addr)                                        \
	L(ts, "BUG: unable to handle page fault for address: " addr)       \
	L(ts, "#PF: supervisor read access in kernel mode")                \
	L(ts, "#PF: error_code(0x0000) - not-present page")                \
	L(ts, "PGD 13ffd6067 P4D 13ffd6067 PUD 13ffd5067 PMD 0 ")
#define FREE_ONE_PAGE_OOPS(ts, oops, cpu_line)                            \
	L(ts, oops)                                                       \
	L(ts, cpu_line)                                                   \
	L(ts, QEMU_I440FX)                                                \
	L(ts, "RIP: 0010:__free_one_page+0x9b/0x3a0")                     \
	L(ts, "RSP: 0018:ffffc90000013b98 EFLAGS: 00010002")              \
	REGS(ts)                                                          \
	L(ts, "Call Trace:")                                              \
	L(ts, " <TASK>")                                                  \
	L(ts, " ? __die+0x23/0x70")                                       \
	L(ts, " ? page_fault_oops+0x173/0x5b0")                           \
	L(ts, " ? exc_page_fault+0x7e/0x180")                             \
	L(ts, " ? asm_exc_page_fault+0x26/0x30")                          \
	L(ts, " ? __free_one_page+0x9b/0x3a0")                            \
	L(ts, " free_pcppages_bulk+0x13e/0x2a0")                          \
	L(ts, " drain_pages_zone+0x41/0x60")                              \
	L(ts, " __drain_all_pages+0x15a/0x200")                           \
	L(ts, " offline_pages+0x2d1/0x5a0")                               \
	L(ts, " memory_subsys_offline+0x17d/0x1f0")                       \
	L(ts, " </TASK>")

static const char page_fault_61[] =
	PAGE_FAULT_HEADER("  143.981220", "ffffea0004000008")
	FREE_ONE_PAGE_OOPS("  143.982997", "Oops: 0000 [#1] PREEMPT SMP NOPTI",
			   "CPU: 1 PID: 1 Comm: init Not tainted 6.1.117 #1");
/* mhp_health_scan() cuts 6.12's at the "Oops:" line: two splats. */
static const char page_fault_612_header[] = PAGE_FAULT_HEADER("  143.981220", "ffffea0004000008");
static const char page_fault_612_oops[] = FREE_ONE_PAGE_OOPS("  143.982997", "Oops: Oops: 0000 [#1] PREEMPT SMP NOPTI",
							      "CPU: 1 UID: 0 PID: 1 Comm: init Not tainted 6.12.17 #1");

static const char null_deref_61[] =
	L("   48.771092", "BUG: kernel NULL pointer dereference, address: 0000000000000008")
	L("   48.771410", "#PF: supervisor read access in kernel mode")
	L("   48.771602", "#PF: error_code(0x0000) - not-present page")
	L("   48.771790", "PGD 0 P4D 0 ")
	L("   48.771930", "Oops: 0000 [#1] PREEMPT SMP NOPTI")
	L("   48.772101", "CPU: 1 PID: 1 Comm: init Not tainted 6.1.117 #1")
	L("   48.772330", QEMU_I440FX)
	L("   48.772561", "RIP: 0010:move_pfn_range_to_zone+0x4e/0x1b0")
	L("   48.773800", "Call Trace:")
	L("   48.773890", " <TASK>")
	L("   48.773990", " online_pages+0xd5/0x300")
	L("   48.774100", " memory_subsys_online+0x15c/0x1e0")
	L("   48.774200", " </TASK>");

/* 6.1: "invalid opcode:" is no trigger, so the BUG stays one splat. */
static const char kernel_bug_61[] =
	L("  201.447810", "kernel BUG at mm/memory_hotplug.c:2195!")
	L("  201.448303", "invalid opcode: 0000 [#1] PREEMPT SMP NOPTI")
	L("  201.448590", "CPU: 0 PID: 45 Comm: kworker/u4:1 Not tainted 6.1.117 #1")
	L("  201.448881", QEMU_Q35)
	L("  201.449102", "Workqueue: kacpi_hotplug acpi_hotplug_work_fn")
	L("  201.449340", "RIP: 0010:__remove_memory+0x2b/0x30")
	L("  201.449611", "Code: 00 00 00 00 66 90 0f 1f 44 00 00 55 48 89 f5 53 48 89 fb e8 71 fe ff ff 85 c0 75 07 "
			  "5b 5d c3 cc cc cc cc <0f> 0b 90 90 90 90 90")
	L("  201.450020", "RSP: 0018:ffffc900001d7d38 EFLAGS: 00010286")
	REGS("  201.450311")
	L("  201.452100", "Call Trace:")
	L("  201.452190", " <TASK>")
	ACPI_EJECT("  201.452300")
	L("  201.453400", " </TASK>")
	L("  201.453500", "Modules linked in:")
	L("  201.453610", "---[ end trace 0000000000000000 ]---");
/* 6.12 prints "Oops: invalid opcode:", which the scan cuts off. */
static const char kernel_bug_612_header[] = L("  201.447810", "kernel BUG at mm/memory_hotplug.c:2340!");
static const char kernel_bug_612_oops[] =
	L("  201.448303", "Oops: invalid opcode: 0000 [#1] PREEMPT SMP NOPTI")
	L("  201.448590", "CPU: 0 UID: 0 PID: 45 Comm: kworker/u8:1 Not tainted 6.12.17 #1")
	L("  201.448881", QEMU_Q35)
	L("  201.449102", "Workqueue: kacpi_hotplug acpi_hotplug_work_fn")
	L("  201.449340", "RIP: 0010:__remove_memory+0x2b/0x30")
	L("  201.452100", "Call Trace:")
	L("  201.452190", " <TASK>")
	L("  201.452200", " ? die+0x36/0x90")
	L("  201.452210", " ? do_trap+0xda/0x100")
	L("  201.452220", " ? __remove_memory+0x2b/0x30")
	ACPI_EJECT("  201.452300");

static const char gpf_612[] =
	L("   97.552301", "Oops: general protection fault, probably for non-canonical address 0xdead000000000122: "
			"0000 [#1] PREEMPT SMP NOPTI")
	L("   97.552880", "CPU: 1 UID: 0 PID: 1 Comm: init Not tainted 6.12.17 #1")
	L("   97.553101", QEMU_I440FX)
	L("   97.553330", "RIP: 0010:__list_del_entry_valid_or_report+0x1c/0xc0")
	L("   97.553601", "Code: 48 8b 17 48 8b 4f 08 48 85 d2 74 22 48 85 c9 74 31 48 39 fa 74 3d 48 39 f9 74 48 <48> "
			"8b 32 48 39 fe 75 58 48 8b 51 08 48 39 f2 75 67")
	L("   97.554012", "RSP: 0018:ffffc90000013bd0 EFLAGS: 00010246")
	REGS("   97.554300")
	L("   97.556100", "Call Trace:")
	L("   97.556190", " <TASK>")
	L("   97.556230", " ? die_addr+0x3c/0x60")
	L("   97.556300", " ? exc_general_protection+0x17c/0x400")
	L("   97.556410", " ? asm_exc_general_protection+0x26/0x30")
	L("   97.556520", " ? __list_del_entry_valid_or_report+0x1c/0xc0")
	L("   97.556630", " move_freepages_block_isolate+0x16d/0x2a0")
	L("   97.556740", " set_migratetype_isolate+0x1c4/0x210")
	L("   97.556850", " start_isolate_page_range+0x7a/0x1e0")
	L("   97.556960", " offline_pages+0x1d9/0x5c0")
	L("   97.557070", " </TASK>");

static const char bad_page_61[] =
	L("   33.210761", "BUG: Bad page state in process init  pfn:140000")
	L("   33.211050", "page:ffffea0005000000 refcount:0 mapcount:1 mapping:0000000000000000 index:0x0 pfn:0x140000")
	L("   33.211390", "flags: 0x17ffffc0000000(node=0|zone=2|lastcpupid=0x1fffff)")
	L("   33.211611", "raw: 0017ffffc0000000 dead000000000100 dead000000000122 0000000000000000")
	L("   33.211830", "raw: 0000000000000000 0000000000000000 0000000000000000 0000000000000000")
	L("   33.212040", "page dumped because: nonzero mapcount")
	L("   33.212201", "Modules linked in:")
	L("   33.212330", "CPU: 0 PID: 1 Comm: init Not tainted 6.1.117 #1")
	L("   33.212501", QEMU_I440FX)
	L("   33.212690", "Call Trace:")
	L("   33.212770", " <TASK>")
	L("   33.212850", " dump_stack_lvl+0x44/0x5c")
	L("   33.212930", " bad_page.cold+0x63/0x94")
	L("   33.213010", " check_free_page_bad+0x84/0x90")
	L("   33.213090", " free_pages_prepare+0x2b5/0x4a0")
	L("   33.213170", " __free_pages_ok+0x1d/0x3e0")
	L("   33.213250", " generic_online_page+0x2a/0x40")
	L("   33.213330", " online_pages_range+0x6b/0xa0")
	L("   33.213410", " online_pages+0x1d7/0x300")
	L("   33.213490", " memory_subsys_online+0x15c/0x1e0")
	L("   33.213570", " device_online+0x5c/0x90")
	L("   33.213650", " state_store+0xa9/0xf0")
	SYSFS_WRITE("   33.213730")
	L("   33.214110", " </TASK>")
	L("   33.214190", "Disabling lock debugging due to kernel taint");

/* syzkaller's pkg/report/testdata/linux/report/725 (6.10, page_owner on,
 * caller ids in the stamps), cut at 40 lines; syzkaller titles it "BUG:
 * Bad page state in __get_metapage". */
#define T(ts) "[" ts "][ T5098] "
static const char bad_page_owner[] =
	T("   65.499023") "BUG: Bad page state in process syz-executor209  pfn:7deea\n"
	T("   65.506426") "page: refcount:0 mapcount:0 mapping:0000000000000000 index:0x2e pfn:0x7deea\n"
	T("   65.515426") "flags: 0xfff0000000400c(referenced|uptodate|private|node=0|zone=1|lastcpupid=0x7ff)\n"
	T("   65.544378") "page dumped because: PAGE_FLAGS_CHECK_AT_FREE flag(s) set\n"
	T("   65.552063") "page_owner tracks the page as allocated\n"
	T("   65.557890") "page last allocated via order 0, migratetype Unmovable, gfp_mask 0x40c40(GFP_NOFS|__GFP_COMP), "
			  "pid 5096, tgid 5096 (syz-executor209), ts 64771645974, free_ts 55604629154\n"
	T("   65.575967") " post_alloc_hook+0x1f3/0x230\n"
	T("   65.581043") " get_page_from_freelist+0x2e4c/0x2f10\n"
	T("   65.586581") " __alloc_pages_noprof+0x256/0x6c0\n"
	T("   65.591814") " alloc_pages_mpol_noprof+0x3e8/0x680\n"
	T("   65.597377") " folio_alloc_noprof+0x128/0x180\n"
	T("   65.602555") " filemap_alloc_folio_noprof+0xdf/0x500\n"
	T("   65.608226") " __filemap_get_folio+0x44e/0xc10\n"
	T("   65.613415") " pagecache_get_page+0x2c/0x200\n"
	T("   65.618395") " __get_metapage+0x2b4/0x1050\n"
	T("   65.623241") " diNewExt+0xacf/0x37e0\n"
	T("   65.654284") "page last free pid 5083 tgid 5083 stack trace:\n"
	T("   65.660639") " free_unref_page+0xd19/0xea0\n"
	T("   65.693191") "Modules linked in:\n"
	T("   65.718739") "Call Trace:\n"
	T("   65.722087") " <TASK>\n"
	T("   65.725017") " dump_stack_lvl+0x241/0x360\n"
	T("   65.740186") " bad_page+0x14c/0x170\n"
	T("   65.744419") " free_unref_folios+0x1121/0x19c0\n"
	T("   65.749552") " folios_put_refs+0x93a/0xa60\n";

#define SOFT_LOCKUP(ts, head, rip)                                              \
	L(ts, head)                                                             \
	L(ts, "Modules linked in:")                                             \
	L(ts, "CPU: 1 PID: 1 Comm: init Not tainted 6.1.117 #1")                \
	L(ts, QEMU_I440FX)                                                      \
	L(ts, rip)                                                              \
	L(ts, "RSP: 0018:ffffc90000013c98 EFLAGS: 00000246")                    \
	REGS(ts)                                                                \
	L(ts, "Call Trace:")                                                    \
	L(ts, " <TASK>")                                                        \
	L(ts, " offline_pages+0x27e/0x5a0")                                     \
	L(ts, " memory_subsys_offline+0x17d/0x1f0")                             \
	L(ts, " </TASK>")
static const char soft_lockup_61[] = SOFT_LOCKUP("  312.106225", "watchdog: BUG: soft lockup - CPU#1 stuck for 26s! [init:1]",
						 "RIP: 0010:test_pages_isolated+0x8d/0x230");
static const char soft_lockup_61_again[] = SOFT_LOCKUP(
	"  977.300118", "watchdog: BUG: soft lockup - CPU#0 stuck for 52s! [kworker/0:2:87]", "RIP: 0010:test_pages_isolated+0x91/0x240");

#define HUNG_INIT(ts, head)                                                                         \
	L(ts, head)                                                                                 \
	L(ts, "      Not tainted 6.1.117 #1")                                                       \
	L(ts, "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.")        \
	L(ts, "task:init            state:D stack:0     pid:1     ppid:0      flags:0x00004000")    \
	L(ts, "Call Trace:")                                                                        \
	L(ts, " <TASK>")                                                                            \
	L(ts, " __schedule+0x2f3/0x890")                                                            \
	L(ts, " schedule+0x5e/0xd0")                                                                \
	L(ts, " percpu_rwsem_wait+0x11f/0x150")                                                     \
	L(ts, " ? percpu_free_rwsem+0x30/0x30")                                                     \
	L(ts, " percpu_down_write+0x2b/0x1d0")                                                      \
	L(ts, " mem_hotplug_begin+0x13/0x30")                                                       \
	L(ts, " offline_pages+0x7d/0x5a0")                                                          \
	L(ts, " memory_subsys_offline+0x17d/0x1f0")                                                 \
	L(ts, " </TASK>")
static const char hung_61[] = HUNG_INIT("  245.679012", "INFO: task init:1 blocked for more than 122 seconds.");
static const char hung_61_again[] = HUNG_INIT("  491.250377", "INFO: task init:1 blocked for more than 245 seconds.");

static const char hung_612[] =
	L("  370.335190", "INFO: task kworker/u8:2:45 blocked for more than 245 seconds.")
	L("  370.335702", "      Not tainted 6.12.17 #1")
	L("  370.335930", "\"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" disables this message.")
	L("  370.336301", "task:kworker/u8:2    state:D stack:0     pid:45    tgid:45    ppid:2      flags:0x00004000")
	L("  370.336620", "Workqueue: kacpi_hotplug acpi_hotplug_work_fn")
	L("  370.336850", "Call Trace:")
	L("  370.336930", " <TASK>")
	L("  370.337010", " __schedule+0x3ec/0xb20")
	L("  370.337090", " schedule+0x27/0xf0")
	L("  370.337170", " schedule_preempt_disabled+0x15/0x30")
	L("  370.337250", " __mutex_lock.constprop.0+0x3a5/0x6d0")
	L("  370.337330", " lock_device_hotplug+0x12/0x20")
	L("  370.337410", " acpi_device_hotplug+0x4b/0x4e0")
	L("  370.337490", " acpi_hotplug_work_fn+0x1d/0x30")
	L("  370.337570", " process_one_work+0x178/0x3b0")
	L("  370.337650", " worker_thread+0x2a1/0x3c0")
	L("  370.337730", " ? __pfx_worker_thread+0x10/0x10")
	L("  370.337810", " kthread+0xda/0x110")
	L("  370.337890", " ? __pfx_kthread+0x10/0x10")
	L("  370.337970", " ret_from_fork+0x34/0x50")
	L("  370.338050", " ret_from_fork_asm+0x1a/0x30")
	L("  370.338130", " </TASK>");

#define KASAN_612(access)                                                                      \
	L("   40.312411", "==================================================================")    \
	L("   40.312805", "BUG: KASAN: slab-use-after-free in memory_block_offline+0x2e1/0x310")   \
	L("   40.313217", access " of size 8 at addr ffff88810b7c4d18 by task init/1")             \
	L("   40.313527", "")                                                                      \
	L("   40.313629", "CPU: 0 UID: 0 PID: 1 Comm: init Not tainted 6.12.17 #1")                 \
	L("   40.313944", QEMU_I440FX)                                                             \
	L("   40.314411", "Call Trace:")                                                           \
	L("   40.314573", " <TASK>")                                                               \
	L("   40.314711", " dump_stack_lvl+0x5d/0x80")                                             \
	L("   40.314946", " print_report+0x174/0x505")                                             \
	L("   40.315184", " ? memory_block_offline+0x2e1/0x310")                                   \
	L("   40.315444", " kasan_report+0xc8/0x100")                                              \
	L("   40.315676", " ? memory_block_offline+0x2e1/0x310")                                   \
	L("   40.315934", " memory_block_offline+0x2e1/0x310")                                     \
	L("   40.316182", " memory_subsys_offline+0x6e/0xa0")                                      \
	L("   40.316428", " device_offline+0x143/0x1c0")                                           \
	L("   40.316651", " state_store+0x100/0x160")                                              \
	L("   40.316901", " </TASK>")                                                              \
	L("   40.317010", "")                                                                      \
	L("   40.317100", "Allocated by task 1:")                                                  \
	L("   40.317210", " kasan_save_stack+0x33/0x60")                                           \
	L("   40.317320", " kasan_save_track+0x14/0x30")                                           \
	L("   40.317430", " __kasan_kmalloc+0x8f/0xa0")                                            \
	L("   40.317540", " init_memory_block+0x5b/0x1a0")
static const char kasan_read_612[] = KASAN_612("Read");
static const char kasan_write_612[] = KASAN_612("Write");

static const char sched_atomic_61[] =
	L("   77.501227", "BUG: scheduling while atomic: init/1/0x00000002")
	L("   77.501530", "Modules linked in:")
	L("   77.501660", "CPU: 0 PID: 1 Comm: init Not tainted 6.1.117 #1")
	L("   77.501820", QEMU_I440FX)
	L("   77.502010", "Call Trace:")
	L("   77.502090", " <TASK>")
	L("   77.502170", " dump_stack_lvl+0x44/0x5c")
	L("   77.502250", " __schedule_bug.cold+0x7d/0x8b")
	L("   77.502330", " __schedule+0x6a5/0x890")
	L("   77.502410", " schedule+0x5e/0xd0")
	L("   77.502490", " schedule_timeout+0x8f/0x160")
	L("   77.502570", " ? __bpf_trace_tick_stop+0x10/0x10")
	L("   77.502650", " msleep+0x2d/0x40")
	L("   77.502730", " offline_pages+0x3c2/0x5a0")
	L("   77.502810", " memory_subsys_offline+0x17d/0x1f0")
	L("   77.502890", " </TASK>");

static const char sleeping_61[] =
	L("   55.310021", "BUG: sleeping function called from invalid context at kernel/locking/mutex.c:580")
	L("   55.310330", "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 1, name: init")
	L("   55.310510", "preempt_count: 1, expected: 0")
	L("   55.310630", "RCU nest depth: 0, expected: 0")
	L("   55.310750", "Preemption disabled at:")
	L("   55.310870", "[<ffffffff812d5a1e>] online_pages+0x1be/0x300")
	L("   55.310990", "CPU: 0 PID: 1 Comm: init Tainted: G        W          6.1.117 #1")
	L("   55.311150", QEMU_I440FX)
	L("   55.311330", "Call Trace:")
	L("   55.311410", " <TASK>")
	L("   55.311490", " dump_stack_lvl+0x44/0x5c")
	L("   55.311570", " __might_resched.cold+0xd6/0x10a")
	L("   55.311650", " __mutex_lock.constprop.0+0x46/0x6e0")
	L("   55.311730", " zone_pcp_update+0x1c/0x40")
	L("   55.311810", " online_pages+0x1d7/0x300")
	L("   55.311890", " memory_subsys_online+0x15c/0x1e0")
	L("   55.311970", " </TASK>");

static const char lockdep_61[] =
	L("   20.101010", "======================================================")
	L("   20.101020", "WARNING: possible circular locking dependency detected")
	L("   20.101030", "6.1.117 #1 Not tainted")
	L("   20.101040", "------------------------------------------------------")
	L("   20.101050", "init/1 is trying to acquire lock:")
	L("   20.101060", "ffffffff82a5e0a8 (mem_hotplug_lock){++++}-{0:0}, at: offline_pages+0x7d/0x5a0")
	L("   20.101070", "")
	L("   20.101080", "but task is already holding lock:")
	L("   20.101090", "ffffffff82b1c5e8 (pcp_batch_high_lock){+.+.}-{3:3}, at: zone_pcp_disable+0x12/0x50")
	L("   20.101100", "")
	L("   20.101110", "which lock already depends on the new lock.")
	L("   20.101120", "")
	L("   20.101130", "the existing dependency chain (in reverse order) is:")
	L("   20.101140", "")
	L("   20.101150", "-> #1 (pcp_batch_high_lock){+.+.}-{3:3}:")
	L("   20.101160", "       __mutex_lock+0x8f/0x8a0")
	L("   20.101170", "       zone_pcp_update+0x1c/0x40");

static const char rcu_stall_612[] =
	L("  125.113203", "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:")
	L("  125.113590", "rcu: \t1-....: (20999 ticks this GP) idle=8c4c/1/0x4000000000000000 softirq=4210/4210 fqs=5171")
	L("  125.113870", "rcu: \t(detected by 0, t=21002 jiffies, g=6389, q=227 ncpus=2)")
	L("  125.114010", "Sending NMI from CPU 0 to CPUs 1:")
	L("  125.114150", "NMI backtrace for cpu 1")
	L("  125.114290", "CPU: 1 UID: 0 PID: 1 Comm: init Not tainted 6.12.17 #1")
	L("  125.114430", QEMU_I440FX)
	L("  125.114570", "RIP: 0010:isolate_single_pageblock+0x1a5/0x3c0")
	L("  125.114710", "RSP: 0018:ffffc90000013c60 EFLAGS: 00000246")
	L("  125.114850", "Call Trace:")
	L("  125.114930", " <NMI>")
	L("  125.115010", " ? nmi_cpu_backtrace+0xb9/0x110")
	L("  125.115090", " ? nmi_cpu_backtrace_handler+0x11/0x20")
	L("  125.115170", " </NMI>")
	L("  125.115250", " <TASK>")
	L("  125.115330", " ? isolate_single_pageblock+0x1a5/0x3c0")
	L("  125.115410", " start_isolate_page_range+0x1c3/0x1e0")
	L("  125.115490", " offline_pages+0x1d9/0x5c0")
	L("  125.115570", " </TASK>");

#define PANIC_FATAL                                                              \
	L("  143.990012", "Kernel panic - not syncing: Fatal exception")     \
	L("  143.990530", "Kernel Offset: disabled")                         \
	L("  143.990890", "---[ end Kernel panic - not syncing: Fatal exception ]---")
static const char panic_fatal[] = PANIC_FATAL;

static const char panic_init[] =
	L("   12.771230", "Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b")
	L("   12.771560", "CPU: 0 PID: 1 Comm: init Not tainted 6.1.117 #1")
	L("   12.771710", QEMU_I440FX)
	L("   12.771880", "Call Trace:")
	L("   12.771950", " <TASK>")
	L("   12.772020", " dump_stack_lvl+0x44/0x5c")
	L("   12.772090", " panic+0x118/0x2ed")
	L("   12.772160", " do_exit.cold+0x15/0x15")
	L("   12.772230", " </TASK>");

static const char rss_counter[] =
	L("   74.110271", "BUG: Bad rss-counter state mm:00000000c3a5b2f1 type:MM_ANONPAGES val:1");
static const char rss_counter_again[] =
	L("  310.004551", "BUG: Bad rss-counter state mm:000000007e0d1a2b type:MM_ANONPAGES val:3");

struct title_row {
	const char *name, *splat, *title;
};

static const struct title_row title_rows[] = {
	{ "6.12 WARN: the function in the header", warning_612, "WARNING in offline_pages" },
	{ "6.1 WARN in lib/refcount.c: the caller past kobject_put and put_device", refcount_61,
	  "WARNING: refcount bug in remove_memory_block_devices" },
	{ "6.1 page fault, whole: the RIP", page_fault_61, "BUG: unable to handle page fault in __free_one_page" },
	{ "6.12 page fault cut at its Oops: the header alone", page_fault_612_header,
	  "BUG: unable to handle page fault for address: ADDR" },
	{ "6.12 page fault cut at its Oops: the Oops", page_fault_612_oops, "Oops in __free_one_page" },
	{ "6.1 NULL pointer dereference", null_deref_61, "BUG: kernel NULL pointer dereference in move_pfn_range_to_zone" },
	{ "6.1 kernel BUG with its invalid opcode", kernel_bug_61, "kernel BUG in __remove_memory" },
	{ "6.12 kernel BUG cut at its Oops: the header alone", kernel_bug_612_header,
	  "kernel BUG at mm/memory_hotplug.c:LINE!" },
	{ "6.12 kernel BUG cut at its Oops: the Oops", kernel_bug_612_oops, "invalid opcode in __remove_memory" },
	{ "6.12 general protection fault: RIP in a list helper, so its caller", gpf_612,
	  "general protection fault in move_freepages_block_isolate" },
	{ "6.1 bad page state: past bad_page and the freeing path", bad_page_61, "BUG: Bad page state in generic_online_page" },
	{ "syzkaller's bad page state 725: page_owner's allocation stack", bad_page_owner,
	  "BUG: Bad page state in __get_metapage" },
	{ "6.1 soft lockup: the RIP", soft_lockup_61, "BUG: soft lockup in test_pages_isolated" },
	{ "6.1 hung task: past the scheduler and the rwsem", hung_61, "INFO: task hung in mem_hotplug_begin" },
	{ "6.12 hung kworker: past the scheduler and the mutex", hung_612, "INFO: task hung in lock_device_hotplug" },
	{ "6.12 KASAN read", kasan_read_612, "KASAN: slab-use-after-free Read in memory_block_offline" },
	{ "6.12 KASAN write", kasan_write_612, "KASAN: slab-use-after-free Write in memory_block_offline" },
	{ "6.1 scheduling while atomic: past schedule*", sched_atomic_61, "BUG: scheduling while atomic in msleep" },
	{ "6.1 sleeping function called from invalid context", sleeping_61,
	  "BUG: sleeping function called from invalid context in zone_pcp_update" },
	{ "6.1 lockdep circular dependency: the lock being taken", lockdep_61, "possible deadlock in offline_pages" },
	{ "6.12 RCU stall: the stalled CPU's RIP", rcu_stall_612, "INFO: rcu detected stall in isolate_single_pageblock" },
	{ "panic after an Oops", panic_fatal, "Kernel panic - not syncing: Fatal exception" },
	{ "panic: init killed, exit code normalised", panic_init,
	  "Kernel panic - not syncing: Attempted to kill init! exitcode=ADDR" },
	{ "workqueue lockup: no frame", L("   92.400112", "BUG: workqueue lockup - pool cpus=1 node=0 flags=0x0 nice=0 stuck for 31s!"),
	  "BUG: workqueue lockup" },
	{ "an unknown header: its first line normalised", rss_counter,
	  "BUG: Bad rss-counter state mm:ADDR type:MM_ANONPAGES val:NUM" },
	{ "a bare stack dump", L("    9.000000", "Call Trace:") L("    9.000000", " dump_stack_lvl+0x44/0x5c"), "Call Trace:" },
	{ "no timestamps, a cut-here line first",
	  "------------[ cut here ]------------\nWARNING: CPU: 0 PID: 1 at mm/memory_hotplug.c:1928 "
	  "offline_pages.cold+0x12/0x30\n",
	  "WARNING in offline_pages" },
	{ "empty", "", "" },
	{ "only rules", "==========\n----------\n", "" },
};

static void test_title(void **state)
{
	const struct title_row *row = *state;
	char buf[256];

	mhp_splat_title(row->splat, buf, sizeof(buf));
	assert_string_equal(buf, row->title);
}

struct pair_row {
	const char *name, *a, *b;
	int same;
};

static const struct pair_row pair_rows[] = {
	{ "a WARN on another CPU, PID, clock, line and build", warning_612, warning_61_crlf, 1 },
	{ "a soft lockup on another CPU, task, duration and offset", soft_lockup_61, soft_lockup_61_again, 1 },
	{ "a hung task after another time", hung_61, hung_61_again, 1 },
	{ "a kernel BUG at another line", kernel_bug_612_header, L("  201.447810", "kernel BUG at mm/memory_hotplug.c:2361!"), 1 },
	{ "a page fault at another address", page_fault_612_header, PAGE_FAULT_HEADER("   12.000001", "ffffea0004a00040"), 1 },
	{ "an unknown header with other numbers", rss_counter, rss_counter_again, 1 },
	{ "a WARN in another function differs", warning_612, warning_online, 0 },
	{ "a KASAN read and write differ", kasan_read_612, kasan_write_612, 0 },
};

static void test_pair(void **state)
{
	const struct pair_row *row = *state;
	char a[256], b[256];

	mhp_splat_title(row->a, a, sizeof(a));
	mhp_splat_title(row->b, b, sizeof(b));
	assert_true(a[0]);
	if (row->same)
		assert_string_equal(a, b);
	else
		assert_string_not_equal(a, b);
}

struct normalise_row {
	const char *name, *in, *out;
};

static const struct normalise_row normalise_rows[] = {
	{ "offsets go", "at offline_pages+0x4a1/0x5c0 in f.cold+0x12/0x30", "at offline_pages in f.cold" },
	{ "file lines", "at mm/memory_hotplug.c:1928 and x.c:12:5", "at mm/memory_hotplug.c:LINE and x.c:LINE" },
	{ "addresses", "address: ffffea0004000008 at 0xdead000000000122: 0000 [#1]", "address: ADDR at ADDR: NUM [#NUM]" },
	{ "CPUs and lone numbers", "CPU#1 stuck for 26s! [kworker/u8:2:87]", "CPU stuck for 26s! [kworker/u8:NUM:NUM]" },
	{ "numbers inside names stay", "sha256_update ext4_map_blocks u8", "sha256_update ext4_map_blocks u8" },
	{ "long numbers go, in words too", "ts 64771645974 id xyz12345678 abc1234567", "ts ADDR id xyzNUM ADDR" },
	{ "hex of 5 digits is a number", "pfn:7deea pfn:12345", "pfn:7deea pfn:NUM" },
	{ "parenthesised lists", "unknown-block(0,0)", "unknown-block(NUM,NUM)" },
};

static void test_normalise(void **state)
{
	const struct normalise_row *row = *state;
	char buf[256];

	strcpy(buf, row->in);
	mhp_title_normalise(buf, sizeof(buf));
	assert_string_equal(buf, row->out);
}

/* Tokens longer than what they replace stop at the buffer's end. */
static void test_normalise_small_buffer(void **state)
{
	(void)state;
	char buf[12] = "PID: 1 at 2";

	mhp_title_normalise(buf, sizeof(buf));
	assert_string_equal(buf, "PID: NUM at");
}

static void test_truncation(void **state)
{
	(void)state;
	char buf[256], small[10];
	/* 120 bytes, cut inside "NUM" ("memory32" is a word: its number stays) */
	const char *title = "Kernel panic - not syncing: memory hotplug self-test: block memory32 in zone Movable still "
			    "holds unmovable pages after N";

	mhp_splat_title(L("   88.000001", "Kernel panic - not syncing: memory hotplug self-test: block memory32 "
						"in zone Movable still holds unmovable pages after 10 retries, giving up"),
			buf, sizeof(buf));
	assert_int_equal(strlen(buf), MHP_TITLE_MAX);
	assert_string_equal(buf, title);
	/* A smaller buffer cuts the title further, and always ends it. */
	mhp_splat_title(warning_612, small, sizeof(small));
	assert_string_equal(small, "WARNING i");
	mhp_splat_title(warning_612, small, 1);
	assert_string_equal(small, "");
	mhp_splat_title(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* Runs of spaces and tabs collapse; the ends are trimmed. */
static void test_spaces(void **state)
{
	(void)state;
	char buf[256];

	mhp_splat_title("BUG: odd\t\tspacing   here  \n", buf, sizeof(buf));
	assert_string_equal(buf, "BUG: odd spacing here");
}

/* What the health scan cuts from a console titles as above: a 6.12 page
 * fault is two splats, header and Oops. */
static void test_health_scan(void **state)
{
	(void)state;
	static const char console[] = L("    0.000000", "Linux version 6.12.17") PAGE_FAULT_HEADER("  143.981220", "ffffea0004000008")
		FREE_ONE_PAGE_OOPS("  143.982997", "Oops: Oops: 0000 [#1] PREEMPT SMP NOPTI",
				   "CPU: 1 UID: 0 PID: 1 Comm: init Not tainted 6.12.17 #1") PANIC_FATAL;
	/* The header and its Oops are one splat (report/health.c). */
	const char *titles[] = { "BUG: unable to handle page fault in __free_one_page",
				 "Kernel panic - not syncing: Fatal exception" };
	struct mhp_splat s[4];
	size_t n = mhp_health_scan(console, s, 4);
	char buf[256];

	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		mhp_splat_title(s[i].text, buf, sizeof(buf));
		assert_string_equal(buf, titles[i]);
		mhp_splat_release(&s[i]);
	}
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_title, title_rows);
	TEST_ROWS(&l, test_pair, pair_rows);
	TEST_ROWS(&l, test_normalise, normalise_rows);
	TEST_ONE(&l, test_normalise_small_buffer);
	TEST_ONE(&l, test_truncation);
	TEST_ONE(&l, test_spaces);
	TEST_ONE(&l, test_health_scan);
	return TEST_RUN("splat-title", &l);
}
