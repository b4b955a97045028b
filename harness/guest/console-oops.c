/* The console's tail read for a splat that kills the task it hits: a
 * backend waiting for the guest's answer to an eject looks here between
 * slices of its wait, so a crashed eject costs a second, not the whole
 * deadline. */
#include "guest/backend.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

static char *console_path(const struct mhp_guest *g)
{
	return mhp_xasprintf("%s/console.log", g->m->log_dir);
}

/* The console's size now: where to look for an oops from. */
off_t mhp_guest_console_size(const struct mhp_guest *g)
{
	_cleanup_free_ char *path = console_path(g);
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : 0;
}

/* Whether line (of a console) reports a splat that kills the task it hits:
 * an Oops, a BUG() or a fatal fault, not a WARNING or a "BUG: Bad page
 * state" the task lives through (report/health.c judges them all). */
static bool fatal_line(const char *line)
{
	static const char *const fatal[] = { "Oops", "kernel BUG at", "general protection fault",
					     "BUG: unable to handle", "BUG: kernel NULL pointer dereference" };
	const char *msg = line, *close_bracket;

	/* "[   12.345678] " (PRINTK_TIME), "[    T1] " (PRINTK_CALLER): any. */
	while (msg[0] == '[' && (close_bracket = strchr(msg, ']')) && close_bracket[1] == ' ')
		msg = close_bracket + 2;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		if (!strncmp(msg, fatal[i], strlen(fatal[i])))
			return true;
	return false;
}

/* Whether the kernel oopsed in the console after byte from: the task
 * that handles the eject died with it, and no _OST will come.  Read in
 * chunks, each starting at a line. */
bool mhp_guest_oopsed_since(const struct mhp_guest *g, off_t from)
{
	_cleanup_free_ char *path = console_path(g);
	_cleanup_free_ char *buf = mhp_xcalloc(1, 65536);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool found = false;
	ssize_t n;

	while (fd >= 0 && !found && (n = pread(fd, buf, 65535, from)) > 0) {
		char *end = memrchr(buf, '\n', (size_t)n);
		size_t used = end ? (size_t)(end - buf) + 1 : (size_t)n;

		buf[used] = '\0';
		for (char *line = buf; line && *line && !found; line = strchr(line, '\n'), line = line ? line + 1 : NULL)
			found = fatal_line(line);
		from += (off_t)used;
	}
	if (fd >= 0)
		close(fd);
	return found;
}

