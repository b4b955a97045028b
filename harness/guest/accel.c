#include "guest/accel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "guest/initrd.h"
#include "lib/process.h"
#include "guest/qemu.h"

static char *cache_path(const struct mhp_accel_probe *p)
{
	return p->cache_dir ? mhp_xasprintf("%s/accel", p->cache_dir) : mhp_cache_path("accel");
}

/* What the verdict depends on: the host kernel and the QEMU binary. */
static char *cache_key(const struct mhp_accel_probe *p)
{
	_cleanup_free_ char *version = mhp_qemu_version_line(p->qemu);
	struct utsname u;

	if (uname(&u) < 0 || !version)
		return NULL;
	return mhp_xasprintf("%s %s | %s", u.release, u.version, version);
}

static const char *cache_read(const char *path, const char *key)
{
	_cleanup_free_ char *text = NULL;

	if (mhp_read_file(path, 4096, &text, NULL) < 0)
		return NULL;
	char *nl = strchr(text, '\n');
	if (!nl || strncmp(text, key, (size_t)(nl - text)) || strlen(key) != (size_t)(nl - text))
		return NULL;
	return !strcmp(nl + 1, "kvm\n") ? "kvm" : !strcmp(nl + 1, "tcg\n") ? "tcg" : NULL;
}

static void cache_write(const char *path, const char *key, const char *accel)
{
	_cleanup_free_ char *dir = mhp_xstrdup(path);
	_cleanup_free_ char *data = mhp_xasprintf("%s\n%s\n", key, accel);
	char *slash = strrchr(dir, '/');

	if (slash) {
		*slash = '\0';
		char *parent = strrchr(dir, '/');
		if (parent) {
			*parent = '\0';
			mkdir(dir, 0755);
			*parent = '/';
		}
		mkdir(dir, 0755);
	}
	mhp_write_file_atomic(path, data, strlen(data)); /* a cache: failure only costs a probe */
}

/* Boots the kernel under KVM with an init that powers off at once. */
static int probe_kvm(const struct mhp_accel_probe *p)
{
	char dir[] = "/tmp/mhp-probe-XXXXXX";
	struct mhp_topology s = { .name = "kvm-probe", .machine = "pc", .nr_nodes = 1, .slots = 1 };
	struct mhp_child c = MHP_CHILD_INIT;
	struct mhp_strv argv = MHP_STRV_INIT;
	int r;

	if (!mkdtemp(dir))
		return -errno;
	_cleanup_free_ char *initrd = mhp_xasprintf("%s/initrd.cpio", dir);
	_cleanup_free_ char *console = mhp_xasprintf("%s/console.log", dir);
	struct mhp_qemu_config cfg = { .binary = p->qemu, .accel = "kvm", .kernel = p->kernel,
				       .initrd = initrd, .console_log = console, .probe = true };
	s.nodes[0] = (struct mhp_node){ .memory = 256ull << 20, .cpus = 1 };
	s.maxmem = 1ull << 30;
	r = mhp_initrd_write(initrd, p->guest_init, NULL, 0, NULL);
	if (r == 0) {
		mhp_qemu_build_argv(&cfg, &s, &argv);
		r = mhp_child_start(&c, argv.v, "/dev/null");
		mhp_strv_release(&argv);
	}
	if (r == 0) {
		r = mhp_child_wait(&c, mhp_deadline_in_ms(p->timeout_ms));
		if (r == 0 && c.status != 0)
			r = -EIO;
		mhp_child_stop(&c, 0);
	}
	unlink(initrd);
	unlink(console);
	rmdir(dir);
	return r;
}

int mhp_accel_resolve(const char *requested, const struct mhp_accel_probe *p, const char **ret_accel,
		      char *ret_reason, size_t size)
{
	if (!strcmp(requested, "tcg") || !strcmp(requested, "kvm")) {
		*ret_accel = !strcmp(requested, "tcg") ? "tcg" : "kvm";
		snprintf(ret_reason, size, "asked for");
		return 0;
	}
	if (strcmp(requested, "auto"))
		return -EINVAL;
	const char *dev = p->kvm_device ? p->kvm_device : "/dev/kvm";
	int fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		*ret_accel = "tcg";
		snprintf(ret_reason, size, "%s: %s", dev, strerror(errno));
		return 0;
	}
	close(fd);
	_cleanup_free_ char *path = cache_path(p), *key = cache_key(p);
	const char *cached = key ? cache_read(path, key) : NULL;
	if (cached) {
		*ret_accel = cached;
		snprintf(ret_reason, size, "cached probe verdict in %s", path);
		return 0;
	}
	int r = probe_kvm(p);
	*ret_accel = r == 0 ? "kvm" : "tcg";
	snprintf(ret_reason, size, r == 0 ? "KVM probe boot succeeded" : r == -ETIMEDOUT ? "KVM probe boot hung, using TCG" : "KVM probe boot failed, using TCG");
	if (key)
		cache_write(path, key, *ret_accel);
	return 0;
}
