#include "guest/libvirt-embed.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest/qemu.h"
#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/util.h"

/* Root, no daemon, no cgroups, no confinement, logs in files (no
 * virtlogd), and the files QEMU opens left as they are: no chown, no
 * owner remembered in their extended attributes (the kernel in /boot). */
static const char qemu_conf[] = "user = \"root\"\n"
				"group = \"root\"\n"
				"stdio_handler = \"file\"\n"
				"cgroup_controllers = [ ]\n"
				"security_driver = \"none\"\n"
				"dynamic_ownership = 0\n"
				"remember_owner = 0\n";

static int write_conf(const char *root, char *err, size_t size)
{
	_cleanup_free_ char *etc = mhp_xasprintf("%s/etc", root);
	_cleanup_free_ char *conf = mhp_xasprintf("%s/qemu.conf", etc);
	int r;

	if ((r = mhp_mkdir_p(etc, 0700)) < 0 || (r = mhp_write_file_atomic(conf, qemu_conf, strlen(qemu_conf))) < 0)
		snprintf(err, size, "cannot write '%s': %s", conf, strerror(-r));
	return r;
}

static int try_root(struct mhp_lv_root *r, const char *base, unsigned n)
{
	_cleanup_free_ char *lock = mhp_xasprintf("%s/%u.lock", base, n);
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return e == EWOULDBLOCK ? 0 : -e;
	}
	r->lock_fd = fd;
	r->path = mhp_xasprintf("%s/%u", base, n);
	return 1;
}

int mhp_lv_root_take(struct mhp_lv_root *r, char *err, size_t size)
{
	_cleanup_free_ char *base = mhp_cache_path("libvirt");
	int rc;

	if ((rc = mhp_mkdir_p(base, 0700)) < 0) {
		snprintf(err, size, "cannot make '%s': %s", base, strerror(-rc));
		return rc;
	}
	for (unsigned n = 0; n < MHP_LV_ROOTS_MAX; n++) {
		if ((rc = try_root(r, base, n)) < 0) {
			snprintf(err, size, "cannot lock '%s/%u.lock': %s", base, n, strerror(-rc));
			return rc;
		}
		if (rc == 1)
			return write_conf(r->path, err, size);
	}
	snprintf(err, size, "all %d libvirt embed roots in '%s' are in use", MHP_LV_ROOTS_MAX, base);
	return -EBUSY;
}

void mhp_lv_root_release(struct mhp_lv_root *r)
{
	if (r->lock_fd >= 0)
		close(r->lock_fd); /* drops the flock */
	free(r->path);
	*r = (struct mhp_lv_root)MHP_LV_ROOT_INIT;
}

char *mhp_lv_root_uri(const struct mhp_lv_root *r)
{
	return mhp_xasprintf("qemu:///embed?root=%s", r->path);
}

const char *mhp_lv_process_root(char *err, size_t size)
{
	static struct mhp_lv_root root = MHP_LV_ROOT_INIT;

	if (!root.path && mhp_lv_root_take(&root, err, size) < 0)
		return NULL;
	return root.path;
}

/* DIR/tcg-HASH, HASH of everything that makes the QEMU what it is:
 * libvirt keeps an emulator's capabilities by its path and checks them by
 * the mhp binary the link leads to, so another QEMU must get another path. */
static char *identity_dir(const char *dir, const char *abs)
{
	uint64_t h;

	if (mhp_qemu_identity(abs, &h) < 0)
		return NULL;
	return mhp_xasprintf("%s/tcg-%016" PRIx64, dir, h);
}

char *mhp_lv_tcg_emulator(const char *dir, const char *qemu, char *err, size_t size)
{
	_cleanup_free_ char *self = realpath("/proc/self/exe", NULL), *abs = mhp_qemu_resolve(qemu), *sub = NULL;
	_cleanup_free_ char *tmp = NULL, *named = NULL;
	char *link = NULL;
	int r = self && abs ? 0 : -errno;

	if (r == 0 && !(sub = identity_dir(dir, abs)))
		r = -errno;
	if (r == 0 && (r = mhp_mkdir_p(sub, 0700)) == 0) {
		link = mhp_xasprintf("%s/%s", sub, MHP_QEMU_TCG_WRAPPER);
		tmp = mhp_xasprintf("%s.%d", link, (int)getpid());
		named = mhp_xasprintf("%s/%s", sub, MHP_QEMU_TCG_BINARY);
		/* A link made anew each time (atomically): mhp may have moved. */
		if (symlink(self, tmp) < 0 || rename(tmp, link) < 0)
			r = -errno;
		else
			r = mhp_write_file_atomic(named, abs, strlen(abs));
	}
	if (r < 0) {
		snprintf(err, size, "cannot link the TCG wrapper for '%s' in '%s': %s", qemu ? qemu : "qemu-system-x86_64",
			 dir, strerror(-r));
		if (tmp)
			unlink(tmp);
		free(link);
		return NULL;
	}
	return link;
}

/* A guest machine (not libvirt's "-machine none" probe) of the PC family. */
static bool pc_machine(const char *value)
{
	return !strncmp(value, "pc", 2) || !strncmp(value, "q35", 3);
}

char **mhp_qemu_tcg_argv(const char *qemu, int argc, char **argv)
{
	char **args = mhp_xcalloc((size_t)argc + 3, sizeof(*args));
	bool pc = false;
	int n = 1;

	args[0] = (char *)qemu;
	for (int i = 1; i < argc; i++) {
		args[n++] = !strcmp(argv[i], "tcg") && !strcmp(argv[i - 1], "-accel") ? "tcg,thread=single" : argv[i];
		pc |= !strcmp(argv[i - 1], "-machine") && pc_machine(argv[i]);
	}
	/* No PS/2 controller, as the QEMU backend has none (guest/qemu.c says
	 * why); libvirt 9.0 cannot say so.  QEMU merges repeated -machine. */
	if (pc) {
		args[n++] = "-machine";
		args[n++] = "i8042=off";
	}
	return args;
}

int mhp_qemu_tcg_wrapper_main(int argc, char **argv)
{
	_cleanup_free_ char *dir = mhp_xstrdup(argv[0]), *named = NULL;
	char *slash = strrchr(dir, '/');

	if (slash)
		*slash = '\0';
	_cleanup_free_ char *path = mhp_xasprintf("%s/%s", slash ? dir : ".", MHP_QEMU_TCG_BINARY);
	if (mhp_read_file(path, 4096, &named, NULL) < 0)
		named = NULL;
	for (size_t n = named ? strlen(named) : 0; n && (named[n - 1] == '\n' || named[n - 1] == ' '); n--)
		named[n - 1] = '\0';
	char **args = mhp_qemu_tcg_argv(named ? named : "qemu-system-x86_64", argc, argv);

	execvp(args[0], args);
	fprintf(stderr, "%s: cannot run %s: %s\n", MHP_QEMU_TCG_WRAPPER, args[0], strerror(errno));
	free(args);
	return 127;
}
