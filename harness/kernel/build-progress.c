/* The kernel build's progress line (kernel/build-progress.h). */
#include "kernel/build-progress.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

#define PLAIN_EVERY_NS (30ull * 1000000000ull)

static unsigned read_estimate(const char *tree_dir)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/objects", tree_dir), *text = NULL;

	return mhp_read_file(path, 64, &text, NULL) == 0 ? (unsigned)strtoul(text, NULL, 10) : 0;
}

void mhp_build_progress_start(struct mhp_build_progress *p, const char *log, const char *tree_dir)
{
	*p = (struct mhp_build_progress){ .log = log, .tree_dir = tree_dir, .phase = "preparing the work tree",
					  .tty = isatty(STDERR_FILENO), .start_ns = mhp_now_ns() };
	p->estimate = read_estimate(tree_dir);
}

void mhp_build_progress_phase(struct mhp_build_progress *p, const char *phase)
{
	struct stat st;

	p->phase = phase;
	p->offset = stat(p->log, &st) == 0 ? st.st_size : 0;
}

/* Kbuild's quiet lines: "  CC      mm/memory_hotplug.o", "  LD      vmlinux". */
static void count(struct mhp_build_progress *p, const char *text)
{
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		if (!strncmp(l, "  CC ", 5) || !strncmp(l, "  AS ", 5))
			p->objects++;
		else if (!strncmp(l, "  LD      vmlinux", 17))
			p->linking = true;
	}
}

static void read_more(struct mhp_build_progress *p)
{
	int fd = open(p->log, O_RDONLY | O_CLOEXEC);
	char buf[1 << 16];
	ssize_t n;

	if (fd < 0)
		return;
	/* Whole lines only: a line make has half written is read next time. */
	while (lseek(fd, p->offset, SEEK_SET) == p->offset && (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		char *last = strrchr(buf, '\n');
		if (!last)
			break;
		last[1] = '\0';
		count(p, buf);
		p->offset += last + 1 - buf;
	}
	close(fd);
}

static void say(struct mhp_build_progress *p, bool last)
{
	uint64_t now = mhp_now_ns(), s = (now - p->start_ns) / 1000000000ull;
	char objects[64] = "";

	if (!p->tty && !last && now - p->said_ns < PLAIN_EVERY_NS)
		return;
	p->said_ns = now;
	if (!strcmp(p->phase, "compile") && p->estimate)
		snprintf(objects, sizeof(objects), " %u/~%u objects", p->objects, p->estimate);
	else if (!strcmp(p->phase, "compile"))
		snprintf(objects, sizeof(objects), " %u objects", p->objects);
	fprintf(stderr, "%smhp: kernel build: %s%s, %um%02us%s", p->tty ? "\r\033[K" : "",
		p->linking ? "link" : p->phase, objects, (unsigned)(s / 60), (unsigned)(s % 60),
		p->tty && !last ? "" : "\n");
}

void mhp_build_progress_tick(void *ctx)
{
	struct mhp_build_progress *p = ctx;

	if (!strcmp(p->phase, "compile"))
		read_more(p);
	say(p, false);
}

void mhp_build_progress_end(struct mhp_build_progress *p, bool complete)
{
	if (!strcmp(p->phase, "compile"))
		read_more(p);
	p->phase = complete ? "done" : p->phase;
	p->linking = false;
	say(p, true);
	/* A full build's count; an incremental one compiles fewer. */
	if (complete && p->objects > p->estimate) {
		_cleanup_free_ char *path = mhp_xasprintf("%s/objects", p->tree_dir);
		_cleanup_free_ char *text = mhp_xasprintf("%u\n", p->objects);
		(void)mhp_write_file_atomic(path, text, strlen(text)); /* an estimate: losing it costs nothing */
	}
}
