/* Crash titles in syzkaller's style: one kernel splat becomes a short line
 * that is the same for every occurrence of the same bug ("WARNING in
 * offline_pages", "KASAN: use-after-free Read in memory_block_offline"),
 * so findings can be deduplicated and searched for.  After syzkaller's
 * pkg/report: linux.go (oopsFormat) and report.go (dynamicTitleReplacement,
 * sanitizeTitle). */
#ifndef MHP_SPLAT_TITLE_H
#define MHP_SPLAT_TITLE_H

#include <stddef.h>

/* A title has at most this many characters (syzkaller's maxTitleLen). */
#define MHP_TITLE_MAX 120

/* Writes the title of one splat into buf (size bytes, always NUL-terminated
 * when size > 0; cut further when size is small).  splat_text holds the
 * splat's lines from its trigger line on, as mhp_health_scan() cuts them;
 * each may start with a printk timestamp "[   12.345678] " (and a caller id
 * "[    T1] "); '\r's are ignored.  Never fails; NULL or empty text gives "".
 *
 * A known header gives "<kind> in <guilty frame>": the function the header
 * names (WARNING, KASAN), else the one on the "RIP:" line, else the first
 * frame after "Call Trace:" that is no generic helper (dump_stack, __warn,
 * lock and list helpers...); "? " frames only when no other is left.  A
 * known header whose frame cannot be found gives the header itself, an
 * unknown one the splat's first line.  Numbers, addresses, offsets and line
 * numbers are then normalised by mhp_title_normalise(). */
void mhp_splat_title(const char *splat_text, char *buf, size_t size);

/* Normalises the NUL-terminated string in s (a buffer of size bytes) in
 * place, as syzkaller's dynamicTitleReplacement does: "func+0x1a/0x40"
 * becomes "func", a hex run of 6 or more digits (with or without "0x", after
 * a character that is not a letter or digit) "ADDR", "file.c:123" becomes
 * "file.c:LINE", "CPU#1" "CPU", and any other number standing alone (or of 7
 * or more digits) "NUM".  A result longer than size - 1 is cut. */
void mhp_title_normalise(char *s, size_t size);

#endif
