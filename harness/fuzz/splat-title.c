/* Crash titles: one splat's text into a line that names the bug and not
 * the occurrence, so two runs hitting the same bug give the same title.
 * After syzkaller's pkg/report: a table of splat kinds (linux.go oopsFormat:
 * the header, the title, where the guilty frame comes from, frames to skip)
 * and the normalisation of report.go (dynamicTitleReplacement,
 * sanitizeTitle).  Plain string code: the patterns are few and fixed. */
#include "fuzz/splat-title.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/util.h"

/* Where a kind's guilty frame comes from. */
enum frame_from {
	FROM_NONE,   /* nowhere: the title is the head alone */
	FROM_LINE,   /* nowhere: the title is the header line from the match on */
	FROM_HEADER, /* the function the header names; else as FROM_RIP */
	FROM_RIP,    /* the "RIP:" line; else as FROM_TRACE */
	FROM_TRACE,  /* the stack after the kind's marker, else after "Call Trace:" */
	FROM_AT,     /* the "..., at: func+0x12/0x50" lines after the marker (lockdep) */
};

/* One kind of splat.  The first row whose header (and also) the header
 * line holds is its kind, so specific rows come before general ones.  A
 * frame the row's skip or skip_always matches is passed over. */
struct title_fmt {
	const char *header, *also; /* also: NULL when the header is enough */
	const char *head;          /* the title before " in FRAME"; NULL: header */
	enum frame_from from;
	const char *marker; /* the line its stack follows, or NULL */
	const char *skip;   /* '|'-separated patterns, or NULL */
};

/* Frames that are the reporting machinery or a generic helper, never the
 * bug's own code: syzkaller's skipPatterns, the part an x86_64 memory-hotplug
 * splat meets.  Each a substring, or anchored by '^' / '$' as in its
 * regexps. */
static const char skip_always[] =
	/* the report itself: dump_stack_lvl, __warn, asm_exc_invalid_op, ... */
	"dump_stack|show_stack|__warn|warn_slowpath|warn_alloc|report_bug|handle_bug|invalid_op|_trap$|do_trap|"
	"panic|print_report|kasan|__asan|__sanitizer|^asm_exc_|^asm_sysvec_|^exc_|"
	"__might_sleep|__might_resched|__might_fault|"
	/* locks: the caller is the one that took it */
	"lockdep|lock_acquire|lock_release|spin_lock|spin_unlock|spin_trylock|read_lock|write_lock|"
	"read_unlock|write_unlock|^down$|down_read|down_write|up_read|up_write|^mutex_|^__mutex_|^rt_mutex_|"
	/* lists, reference counts, strings, allocation */
	"list_add|list_del|^refcount_|^kref_|kobject_|^put_device$|memcpy|memset|memmove|strlen|strcmp|"
	"copy_to_user|copy_from_user|malloc|zalloc|calloc|kmem_cache|slab_|filemap_get_folio";
/* A bad page's allocation or freeing path (syzkaller's list, and bad_page). */
#define SKIP_BAD_PAGE \
	"bad_page|free_page|put_page|get_page|release_page|check_new_page|free_unref|^folio|^__folio|alloc|page_owner"
/* A hung task waits in the scheduler, a lock or a completion: skipped, as
 * syzkaller's linuxHangTaskFrameExtractor does, to reach the caller. */
#define SKIP_HUNG "sched|_lock|_slowlock|down|rwsem|completion|wait|synchronize|kthread"

static const struct title_fmt fmts[] = {
	{ "BUG: KASAN: double-free", NULL, "KASAN: invalid-free", FROM_HEADER, NULL, "kfree|vfree|vunmap" },
	{ "BUG: KASAN: invalid-free", NULL, "KASAN: invalid-free", FROM_HEADER, NULL, "kfree|vfree|vunmap" },
	{ "BUG: KASAN: ", NULL, "KASAN:", FROM_HEADER, NULL, NULL }, /* see kasan_head() */
	{ "BUG: unable to handle page fault", NULL, NULL, FROM_RIP, NULL, NULL },
	{ "BUG: kernel NULL pointer dereference", NULL, NULL, FROM_RIP, NULL, NULL },
	{ "BUG: Bad page state", NULL, NULL, FROM_TRACE, "page last allocated", SKIP_BAD_PAGE },
	{ "BUG: soft lockup", NULL, NULL, FROM_RIP, NULL, NULL },
	{ "BUG: scheduling while atomic", NULL, NULL, FROM_TRACE, NULL, "schedule" },
	{ "BUG: sleeping function called from invalid context", NULL, NULL, FROM_TRACE, NULL, NULL },
	{ "BUG: workqueue lockup", NULL, NULL, FROM_NONE, NULL, NULL },
	{ "general protection fault", NULL, NULL, FROM_RIP, NULL, NULL },
	{ "kernel BUG at", NULL, "kernel BUG", FROM_RIP, NULL, NULL },
	{ "invalid opcode: ", NULL, "invalid opcode", FROM_RIP, NULL, NULL },
	/* An "Oops: 0000 [#1]" of its own (mhp_health_scan() keeps the one
	 * after a "BUG: unable to handle" header inside that splat). */
	{ "Oops: ", NULL, "Oops", FROM_RIP, NULL, NULL },
	{ "INFO: task ", " blocked for more than ", "INFO: task hung", FROM_TRACE, NULL, SKIP_HUNG },
	{ "INFO: rcu_", " stall", "INFO: rcu detected stall", FROM_RIP, NULL, "rcu|apic_timer_interrupt" },
	{ "WARNING: possible circular locking", NULL, "possible deadlock", FROM_AT, "is trying to acquire", NULL },
	{ "WARNING: possible recursive locking", NULL, "possible deadlock", FROM_AT, "is trying to acquire", NULL },
	{ "WARNING: ", "lib/refcount.c", "WARNING: refcount bug", FROM_RIP, NULL, "refcount" },
	{ "WARNING: ", " at ", "WARNING", FROM_HEADER, NULL, NULL },
	{ "Kernel panic - not syncing: ", NULL, NULL, FROM_LINE, NULL, NULL },
};

/* Syscall entry prefixes, as syzkaller's stripFramePrefixes: the longest
 * one that fits goes ("__x64_sys_write" is "sys_write"). */
static const char *const strip_prefixes[] = { "SyS_",  "sys_", "__x64_", "__ia32_", "____sys_", "___sys_",
					      "__sys_", "__se_", "__se_sys_", "__do_sys_", "ksys_" };

/* Lines that start another stack: the one being read ends there. */
static const char *const stack_ends[] = { "Call Trace:", "Allocated by task", "Freed by task", "page last free",
					  "---[ end" };

#define DIGITS "0123456789"
#define LOWER_HEX DIGITS "abcdef"
#define LOWER_ALNUM LOWER_HEX "ghijklmnopqrstuvwxyz"

/* The splat as NUL-terminated lines from lines to end, without printk
 * timestamps ("[   12.345678] ", "[    1.0][    T1] ") and '\r's. */
struct splat {
	char *lines;
	const char *end;
	const char *text;  /* the splat as given */
	const char *hdr;   /* its header line */
	const char *match; /* where the row's header starts in hdr */
};

#define FOR_EACH_LINE(l, s) for (const char *l = (s)->lines; l < (s)->end; l += strlen(l) + 1)

/* Regexp \w: letters, digits and '_'. */
static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void split_lines(struct splat *s, const char *text)
{
	char *w = s->lines = mhp_xcalloc(strlen(text) + 1, 1);

	for (const char *p = text; *p; p += *p == '\n') {
		const char *end = p + strcspn(p, "\n");
		bool stamped = false;

		while (*p == '[') {
			size_t k = strspn(p + 1, " ." DIGITS "TC"); /* stops at the line end */

			if (p[1 + k] != ']')
				break;
			p += 2 + k;
			stamped = true;
		}
		for (p += stamped && *p == ' '; p < end; p++)
			if (*p != '\r')
				*w++ = *p;
		*w++ = '\0';
	}
	s->end = w;
}

/* Whether line l starts with s after its indent. */
static bool starts(const char *l, const char *s)
{
	return !strncmp(l + strspn(l, " "), s, strlen(s));
}

/* The function a stack line names, syzkaller's "^ *(?:PC ){0,2}FUNC" with
 * an offset after it: " ? [<ffffffff81234567>] f.cold+0x1a/0x40 [mod]"
 * names "f".  "? " frames, the unwinder's guesses, only when questionable.
 * Returns the name's length (0: none) and *ret its start. */
static size_t frame_name(const char *p, bool questionable, const char **ret)
{
	size_t n;

	p += strspn(p, " ");
	if (!strncmp(p, "? ", 2)) {
		if (!questionable)
			return 0;
		p += 2;
	}
	for (int i = 0; i < 2 && !strncmp(p, "[<", 2); i++) {
		if (!(p = strchr(p, ']')))
			return 0;
		p += 1 + strspn(p + 1, " ");
	}
	for (n = 0; is_word(p[n]);)
		n++;
	if (!n || (p[n] != '.' && p[n] != '+'))
		return 0;
	*ret = p;
	return strncmp(p + n + strspn(p + n, "." LOWER_ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"), "+0x", 3) ? 0 : n;
}

/* Whether one of the '|'-separated patterns in list matches the name. */
static bool matches_any(const char *name, size_t len, const char *list)
{
	for (const char *p = list; p && *p; p += *p == '|') {
		const char *pat = p;
		size_t k = strcspn(p, "|");
		bool head = k && pat[0] == '^', tail = k > head && pat[k - 1] == '$';

		p += k;
		pat += head;
		k -= (size_t)head + tail;
		if (!k || k > len || (head && tail && k != len))
			continue;
		if (head || tail ? !memcmp(head ? name : name + len - k, pat, k) : memmem(name, len, pat, k) != NULL)
			return true;
	}
	return false;
}

/* Copies the frame, without a syscall prefix, into out unless it is
 * skipped. */
static bool take_frame(const struct title_fmt *f, const char *name, size_t len, char *out, size_t n)
{
	size_t strip = 0;

	if (!len || matches_any(name, len, skip_always) || matches_any(name, len, f->skip))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(strip_prefixes); i++) {
		size_t k = strlen(strip_prefixes[i]);

		if (k > strip && k < len && !memcmp(name, strip_prefixes[i], k))
			strip = k;
	}
	snprintf(out, n, "%.*s", (int)(len - strip), name + strip);
	return true;
}

/* The function the header names: "WARNING: CPU: 0 PID: 1 at
 * mm/memory_hotplug.c:1928 offline_pages+0x4a1/0x5c0" names offline_pages. */
static bool header_frame(const struct title_fmt *f, const struct splat *s, char *out, size_t n)
{
	const char *p = strstr(s->match, "+0x"), *name = NULL;
	size_t len;

	while (p && p > s->hdr && p[-1] != ' ')
		p--;
	len = p ? frame_name(p, false, &name) : 0;
	return take_frame(f, name, len, out, n);
}

/* The frames after the first line holding marker (NULL: the splat's first
 * line), the first not skipped: each line's own (LINE), the one after
 * "at: " (AT), the one on the first "RIP: 0010:f+0x9b/0x3a0" line (RIP; a
 * user-space "RIP: 0033:0x7f..." names none). */
enum scan { SCAN_LINE, SCAN_AT, SCAN_RIP };

static bool scan_frame(const struct title_fmt *f, const struct splat *s, const char *marker, enum scan how,
		       bool questionable, char *out, size_t n)
{
	bool in = !marker;

	FOR_EACH_LINE(l, s) {
		const char *p = l, *name = NULL;
		size_t len;

		if (!in) {
			in = strstr(l, marker) != NULL;
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(stack_ends) && how == SCAN_LINE; i++)
			if (starts(l, stack_ends[i]))
				return false;
		if (how == SCAN_AT && (p = strstr(l, "at: ")))
			p += 4;
		if (how == SCAN_RIP && starts(l, "RIP: ")) {
			p = strchr(l, ':') + 2;
			len = strspn(p, LOWER_HEX "ABCDEF"); /* the code segment, "0010:" */
			p += p[len] == ':' ? len + 1 : 0;
			len = frame_name(p, false, &name);
			return take_frame(f, name, len, out, n);
		}
		len = p && how != SCAN_RIP ? frame_name(p, questionable, &name) : 0;
		if (take_frame(f, name, len, out, n))
			return true;
	}
	return false;
}

static bool guilty_frame(const struct title_fmt *f, const struct splat *s, bool questionable, char *out, size_t n)
{
	if (f->from == FROM_AT)
		return scan_frame(f, s, f->marker, SCAN_AT, questionable, out, n);
	if (f->from == FROM_HEADER && header_frame(f, s, out, n))
		return true;
	if ((f->from == FROM_HEADER || f->from == FROM_RIP) && scan_frame(f, s, NULL, SCAN_RIP, false, out, n))
		return true;
	if (f->marker && scan_frame(f, s, f->marker, SCAN_LINE, questionable, out, n))
		return true;
	return scan_frame(f, s, "Call Trace:", SCAN_LINE, questionable, out, n);
}

/* "BUG: KASAN: slab-use-after-free in f+0x1/0x2" and its "Read of size 8
 * at addr ..." line give "KASAN: slab-use-after-free Read". */
static void kasan_head(const struct splat *s, char *out, size_t n)
{
	const char *kind = s->match + strlen("BUG: KASAN: ");
	const char *access = strstr(s->text, "Read of size") ? " Read" : strstr(s->text, "Write of size") ? " Write" : "";

	snprintf(out, n, "KASAN: %.*s%s", (int)strcspn(kind, " "), kind, access);
}

/* The header line: the first one that is not blank, a "[ cut here ]" or a
 * "=====" rule; then the first row it is of (NULL: none). */
static const struct title_fmt *find_fmt(struct splat *s)
{
	s->hdr = NULL;
	FOR_EACH_LINE(l, s) {
		if (l[strspn(l, "=- ")] && !strstr(l, "[ cut here ]")) {
			s->hdr = s->match = l;
			break;
		}
	}
	for (size_t i = 0; s->hdr && i < ARRAY_SIZE(fmts); i++) {
		const char *p = strstr(s->hdr, fmts[i].header);

		if (p && (!fmts[i].also || strstr(s->hdr, fmts[i].also))) {
			s->match = p;
			return &fmts[i];
		}
	}
	return NULL;
}

/* syzkaller's sanitizeTitle: tabs become spaces, other control and
 * non-ASCII bytes go, runs of spaces become one, the ends are trimmed; only
 * the first MHP_TITLE_MAX bytes are read. */
static void sanitise(const char *in, char *out, size_t size)
{
	size_t len = 0;
	char prev = ' ';

	for (size_t i = 0; in[i] && i < MHP_TITLE_MAX && len + 1 < size; i++) {
		char c = in[i] == '\t' ? ' ' : in[i];

		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f || (c == ' ' && prev == ' '))
			continue;
		out[len++] = prev = c;
	}
	while (len && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
}

void mhp_splat_title(const char *splat_text, char *buf, size_t size)
{
	char raw[512], head[256], frame[128];
	struct splat s = { .text = splat_text };
	_cleanup_free_ char *lines = NULL;
	const struct title_fmt *f;

	if (!size)
		return;
	buf[0] = '\0';
	if (!splat_text)
		return;
	split_lines(&s, splat_text);
	lines = s.lines;
	f = find_fmt(&s);
	if (!s.hdr)
		return;
	if (f && f->from == FROM_HEADER && !strcmp(f->header, "BUG: KASAN: "))
		kasan_head(&s, head, sizeof(head));
	else
		snprintf(head, sizeof(head), "%s", f ? (f->head ? f->head : f->header) : "");
	if (f && f->from == FROM_NONE)
		snprintf(raw, sizeof(raw), "%s", head);
	else if (f && f->from != FROM_LINE &&
		 (guilty_frame(f, &s, false, frame, sizeof(frame)) || guilty_frame(f, &s, true, frame, sizeof(frame))))
		snprintf(raw, sizeof(raw), "%s in %s", head, frame);
	else /* the header from the match on: an unknown splat's, a panic's, a frameless one's */
		snprintf(raw, sizeof(raw), "%s", s.match);
	mhp_title_normalise(raw, sizeof(raw));
	sanitise(raw, buf, size);
}

/* ---- normalisation: syzkaller's replacements, one pass each, in order ---- */

/* A replacement at in[i]: the number of bytes it replaces (0: none), and
 * *with what. */
typedef size_t replace_fn(const char *in, size_t i, const char **with);

/* "func+0x1a/0x40" is "func": offsets and sizes change with the build.
 * First, so that a long offset does not become "+ADDR/ADDR". */
static size_t offset_at(const char *in, size_t i, const char **with)
{
	size_t a, b;

	if (in[i] != '+' || !i || !(is_word(in[i - 1]) || in[i - 1] == '.') || strncmp(in + i + 1, "0x", 2))
		return 0;
	a = strspn(in + i + 3, LOWER_ALNUM);
	if (!a || strncmp(in + i + 3 + a, "/0x", 3))
		return 0;
	b = strspn(in + i + 6 + a, LOWER_ALNUM);
	*with = "";
	return b ? 6 + a + b : 0;
}

/* An address: 6 or more hex digits, "0x" or not, after a character that is
 * no letter or digit. */
static size_t addr_at(const char *in, size_t i, const char **with)
{
	size_t x = strncmp(in + i, "0x", 2) ? 0 : 2, n = strspn(in + i + x, LOWER_HEX);

	*with = "ADDR";
	return i && !isalnum((unsigned char)in[i - 1]) && n >= 6 ? x + n : 0;
}

/* The ":1928" of "memory_hotplug.c:1928" (or ":12:5" of "f.c:12:5"). */
static size_t line_at(const char *in, size_t i, const char **with)
{
	size_t k = i, j = i;

	if (in[i] != ':' || !isdigit((unsigned char)in[i + 1]))
		return 0;
	while (k > 0 && is_word(in[k - 1]))
		k--;
	if (k == i || k == 0 || in[k - 1] != '.')
		return 0;
	while (in[j] == ':' && isdigit((unsigned char)in[j + 1]))
		j += 1 + strspn(in + j + 1, DIGITS);
	*with = ":LINE";
	return j - i;
}

/* "CPU#1" is "CPU"; a number standing alone (between characters that are
 * not \w, or at the end), or of 7 or more digits, is "NUM": "[#1]" is
 * "[#NUM]", "kworker/u8:2" is "kworker/u8:NUM" ("u8" is a word). */
static size_t number_at(const char *in, size_t i, const char **with)
{
	size_t n = strspn(in + i, DIGITS);

	if (!strncmp(in + i, "CPU#", 4) && isdigit((unsigned char)in[i + 4])) {
		*with = "CPU";
		return 4 + strspn(in + i + 4, DIGITS);
	}
	if (!n || (i > 0 && isdigit((unsigned char)in[i - 1])))
		return 0;
	*with = "NUM";
	return n >= 7 || (i > 0 && !is_word(in[i - 1]) && !is_word(in[i + n])) ? n : 0;
}

void mhp_title_normalise(char *s, size_t size)
{
	static replace_fn *const passes[] = { offset_at, addr_at, line_at, number_at };

	if (!size)
		return;
	for (size_t k = 0; k < ARRAY_SIZE(passes); k++) {
		_cleanup_free_ char *in = mhp_xstrdup(s);
		size_t len = 0;

		for (size_t i = 0; in[i];) {
			const char *with = NULL;
			size_t n = passes[k](in, i, &with);
			size_t m = n ? strlen(with) : 1;

			if (m > size - 1 - len)
				m = size - 1 - len;
			memcpy(s + len, n ? with : in + i, m);
			len += m;
			i += n ? n : 1;
		}
		s[len] = '\0';
	}
}
