/* The guest's initrd: init and its mount points, and the kernel modules
 * init loads, resolved with libkmod against the Debian kernels that `make
 * check` installs (6.1: virtio_mem and virtio_pci are modules with
 * dependencies; 6.12: virtio_pci built in, virtio_mem.ko.xz), packed in
 * load order. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "guest/initrd.h"
#include "guest/kernel-image.h"
#include "guest/modules.h"
#include "lib/util.h"

/* The module directory of the newest installed /boot/vmlinuz-<prefix>*. */
static char *debian_moddir(const char *prefix)
{
	char *kernel = NULL, *dir = NULL, err[512];

	if (mhp_kernel_newest("/boot", prefix, &kernel) < 0)
		fail_msg("no /boot/%s* (make check installs Debian's 6.1 and 6.12 kernels: make deps)", prefix);
	if (mhp_modules_dir(kernel, NULL, &dir, err, sizeof(err)) < 0)
		fail_msg("%s", err);
	free(kernel);
	return dir;
}

static int position(const struct mhp_strv *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->v[i], name))
			return (int)i;
	return -1;
}

/* Each module once, and after every module it needs. */
static void assert_order(const struct mhp_strv *names, const char *const deps[][2], size_t ndeps)
{
	for (size_t i = 0; i < names->n; i++)
		assert_int_equal(position(names, names->v[i]), (int)i);
	for (size_t i = 0; i < ndeps; i++) {
		int before = position(names, deps[i][0]), after = position(names, deps[i][1]);
		if (before < 0 || after < 0 || before > after)
			fail_msg("%s (at %d) must load before %s (at %d)", deps[i][0], before, deps[i][1], after);
	}
}

static void test_virtio_mem_on_61(void **state)
{
	static const char *const deps[][2] = {
		{ "virtio", "virtio_mem" }, { "virtio_ring", "virtio_mem" }, { "virtio", "virtio_pci" },
		{ "virtio_ring", "virtio_pci" }, { "virtio_pci_modern_dev", "virtio_pci" },
		{ "virtio_pci_legacy_dev", "virtio_pci" },
	};
	struct mhp_guest_modules m = MHP_GUEST_MODULES_INIT;
	char *dir = debian_moddir("vmlinuz-6.1."), err[512] = "";

	(void)state;
	assert_int_equal(mhp_modules_resolve(dir, mhp_virtio_mem_modules, 2, &m, err, sizeof(err)), 0);
	assert_int_equal(m.names.n, 6);
	assert_int_equal(m.paths.n, 6);
	assert_order(&m.names, deps, sizeof(deps) / sizeof(deps[0]));
	int at = position(&m.names, "virtio_mem");
	char *want = mhp_xasprintf("%s/kernel/drivers/virtio/virtio_mem.ko", dir);
	assert_string_equal(m.paths.v[at], want);
	assert_int_equal(access(want, R_OK), 0);
	mhp_guest_modules_release(&m);
	free(want);
	free(dir);
}

/* Built-in ones need no file; the compressed driver goes as it is. */
static void test_virtio_mem_on_612(void **state)
{
	struct mhp_guest_modules m = MHP_GUEST_MODULES_INIT;
	char *dir = debian_moddir("vmlinuz-6.12."), err[512] = "";

	(void)state;
	assert_int_equal(mhp_modules_resolve(dir, mhp_virtio_mem_modules, 2, &m, err, sizeof(err)), 0);
	assert_int_equal(m.names.n, 1);
	assert_string_equal(m.names.v[0], "virtio_mem");
	char *want = mhp_xasprintf("%s/kernel/drivers/virtio/virtio_mem.ko.xz", dir);
	assert_string_equal(m.paths.v[0], want);
	mhp_guest_modules_release(&m);
	free(want);
	free(dir);
}

struct name_row {
	const char *name;
	const char *lookup; /* as a user gives it */
	int ret;
	const char *want;   /* the last module, or the message's start */
};

static const struct name_row name_rows[] = {
	{ "dashes as underscores", "virtio-mem", 0, "virtio_mem" },
	{ "a device alias", "virtio:d00000018v00001AF4", 0, "virtio_mem" },
	{ "a name twice", "virtio_ring", 0, "virtio_ring" },
	{ "unknown", "no_such_module", -ENOENT, "no module 'no_such_module' for release 6.1." },
};

static void test_name(void **state)
{
	const struct name_row *row = *state;
	struct mhp_guest_modules m = MHP_GUEST_MODULES_INIT;
	const char *names[] = { row->lookup, row->lookup };
	char *dir = debian_moddir("vmlinuz-6.1."), err[512] = "";

	assert_int_equal(mhp_modules_resolve(dir, names, 2, &m, err, sizeof(err)), row->ret);
	if (row->ret == 0) {
		assert_true(m.names.n > 0);
		assert_string_equal(m.names.v[m.names.n - 1], row->want);
		assert_int_equal(position(&m.names, row->want), (int)m.names.n - 1);
	} else {
		assert_memory_equal(err, row->want, strlen(row->want));
		assert_non_null(strstr(err, dir));
	}
	mhp_guest_modules_release(&m);
	free(dir);
}

/* A kernel without installed modules: the message names the index. */
static void test_no_modules_dir(void **state)
{
	struct mhp_guest_modules m = MHP_GUEST_MODULES_INIT;
	char err[512] = "";

	(void)state;
	assert_int_equal(mhp_modules_resolve("/nonexistent/6.1.0-1-amd64", mhp_virtio_mem_modules, 2, &m, err,
					     sizeof(err)), -ENOENT);
	assert_string_equal(err, "no modules for this kernel: cannot read '/nonexistent/6.1.0-1-amd64/modules.dep.bin': "
			    "No such file or directory");
	assert_int_equal(m.names.n, 0);
}

/* The initrd at path, opened for reading as the newc cpio it is. */
static struct archive *open_initrd(const char *path)
{
	struct archive *a = archive_read_new();

	archive_read_support_format_cpio(a);
	archive_read_support_filter_none(a);
	assert_int_equal(archive_read_open_filename(a, path, 4096), ARCHIVE_OK);
	return a;
}

/* The initrd is a newc cpio holding init, dev/console (c 5:1) and mount points. */
static void test_initrd(void **state)
{
	(void)state;
	char dir[] = "/tmp/mhp-test-initrd-XXXXXX";
	struct archive_entry *e;
	char names[256] = "";
	char body[16] = "";

	assert_non_null(mkdtemp(dir));
	char *init = mhp_xasprintf("%s/init", dir), *cpio = mhp_xasprintf("%s/initrd.cpio", dir);
	assert_int_equal(mhp_write_file_atomic(init, "\x7f" "ELFbody", 8), 0);
	assert_int_equal(mhp_initrd_write(cpio, init, NULL, 0, NULL), 0);
	struct archive *a = open_initrd(cpio);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		strcat(names, archive_entry_pathname(e));
		strcat(names, " ");
		if (!strcmp(archive_entry_pathname(e), "dev/console")) {
			assert_int_equal(archive_entry_filetype(e), AE_IFCHR);
			assert_int_equal(archive_entry_rdevmajor(e), 5);
			assert_int_equal(archive_entry_rdevminor(e), 1);
		}
		if (!strcmp(archive_entry_pathname(e), "init")) {
			assert_int_equal(archive_entry_perm(e), 0755);
			assert_int_equal(archive_read_data(a, body, sizeof(body)), 8);
		}
	}
	assert_string_equal(archive_format_name(a), "ASCII cpio (SVR4 with no CRC)");
	archive_read_free(a);
	assert_string_equal(names, "dev dev/console proc sys init ");
	assert_memory_equal(body, "\x7f" "ELFbody", 8);
	assert_int_equal(mhp_initrd_write(cpio, "/nonexistent-init", NULL, 0, NULL), -ENOENT);
	unlink(init);
	unlink(cpio);
	rmdir(dir);
	free(init);
	free(cpio);
}

/* The files go under modules/, and modules/order lists them in load order. */
static void test_initrd_modules(void **state)
{
	char dir[] = "/tmp/mhp-test-modules-XXXXXX", body[64] = "", order[64] = "";
	struct mhp_guest_modules m = MHP_GUEST_MODULES_INIT;
	struct archive_entry *e;
	char names[256] = "";

	(void)state;
	assert_non_null(mkdtemp(dir));
	char *init = mhp_xasprintf("%s/init", dir), *a_ko = mhp_xasprintf("%s/a.ko", dir);
	char *b_ko = mhp_xasprintf("%s/b.ko.xz", dir), *cpio = mhp_xasprintf("%s/initrd", dir);
	assert_int_equal(mhp_write_file_atomic(init, "ELF", 3), 0);
	assert_int_equal(mhp_write_file_atomic(a_ko, "module a", 8), 0);
	assert_int_equal(mhp_write_file_atomic(b_ko, "xz b", 4), 0);
	mhp_strv_push(&m.names, "b"), mhp_strv_push(&m.paths, b_ko);
	mhp_strv_push(&m.names, "a"), mhp_strv_push(&m.paths, a_ko);
	assert_int_equal(mhp_initrd_write(cpio, init, NULL, 0, &m), 0);
	struct archive *a = open_initrd(cpio);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		strcat(names, archive_entry_pathname(e));
		strcat(names, " ");
		if (!strcmp(archive_entry_pathname(e), "modules/a.ko"))
			assert_int_equal(archive_read_data(a, body, sizeof(body)), 8);
		if (!strcmp(archive_entry_pathname(e), "modules/order"))
			assert_true(archive_read_data(a, order, sizeof(order)) > 0);
	}
	archive_read_free(a);
	assert_string_equal(names, "dev dev/console proc sys init modules modules/b.ko.xz modules/a.ko modules/order ");
	assert_string_equal(body, "module a");
	assert_string_equal(order, "b.ko.xz\na.ko\n");
	unlink(a_ko);
	assert_int_equal(mhp_initrd_write(cpio, init, NULL, 0, &m), -ENOENT);
	mhp_guest_modules_release(&m);
	unlink(b_ko), unlink(init), unlink(cpio), rmdir(dir);
	free(init), free(a_ko), free(b_ko), free(cpio);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_virtio_mem_on_61);
	TEST_ONE(&l, test_virtio_mem_on_612);
	TEST_ROWS(&l, test_name, name_rows);
	TEST_ONE(&l, test_no_modules_dir);
	TEST_ONE(&l, test_initrd);
	TEST_ONE(&l, test_initrd_modules);
	return TEST_RUN("initrd", &l);
}
