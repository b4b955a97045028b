#include "guest/initrd.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

#define MAX_INIT_SIZE (64u << 20)

static int add_entry(struct archive *a, const char *name, mode_t type, mode_t perm,
		     const void *data, size_t len, unsigned rmaj, unsigned rmin)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	if (!e)
		return -ENOMEM;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_entry_set_rdevmajor(e, rmaj);
	archive_entry_set_rdevminor(e, rmin);
	archive_entry_set_nlink(e, type == AE_IFDIR ? 2 : 1);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		r = -EIO;
	else if (len && archive_write_data(a, data, len) != (la_ssize_t)len)
		r = -EIO;
	archive_entry_free(e);
	return r;
}

static int archive_err(struct archive *a)
{
	return archive_errno(a) > 0 ? -archive_errno(a) : -EIO;
}

/* One newc archive on fd, without block padding: the kernel's early cpio
 * scan wants the second archive right after the first one's trailer. */
static struct archive *open_cpio(int fd)
{
	struct archive *a = archive_write_new();

	if (!a)
		return NULL;
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK || archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK || archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		archive_write_free(a);
		return NULL;
	}
	return a;
}

static int close_cpio(struct archive *a, int r)
{
	if (archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = archive_err(a);
	archive_write_free(a);
	return r;
}

static int write_tables(int fd, const struct mhp_initrd_table *tables, size_t n)
{
	struct archive *a = open_cpio(fd);
	int r;

	if (!a)
		return -EIO;
	if ((r = add_entry(a, "kernel", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0 &&
	    (r = add_entry(a, "kernel/firmware", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0)
		r = add_entry(a, "kernel/firmware/acpi", AE_IFDIR, 0755, NULL, 0, 0, 0);
	for (size_t i = 0; r == 0 && i < n; i++) {
		_cleanup_free_ char *data = NULL, *name = mhp_xasprintf("kernel/firmware/acpi/%s", tables[i].name);
		size_t len;

		if ((r = mhp_read_file(tables[i].path, MAX_INIT_SIZE, &data, &len)) == 0)
			r = add_entry(a, name, AE_IFREG, 0644, data, len, 0, 0);
	}
	return close_cpio(a, r);
}

/* modules/<file> each, and modules/order: their file names, a line each,
 * in load order. */
static int write_modules(struct archive *a, const struct mhp_guest_modules *m)
{
	_cleanup_free_ char *order = mhp_xstrdup("");
	int r = add_entry(a, "modules", AE_IFDIR, 0755, NULL, 0, 0, 0);

	for (size_t i = 0; r == 0 && i < m->paths.n; i++) {
		const char *slash = strrchr(m->paths.v[i], '/'), *base = slash ? slash + 1 : m->paths.v[i];
		_cleanup_free_ char *data = NULL, *name = mhp_xasprintf("modules/%s", base);
		char *more = mhp_xasprintf("%s%s\n", order, base);
		size_t len;

		free(order);
		order = more;
		if ((r = mhp_read_file(m->paths.v[i], MAX_INIT_SIZE, &data, &len)) == 0)
			r = add_entry(a, name, AE_IFREG, 0644, data, len, 0, 0);
	}
	if (r == 0)
		r = add_entry(a, "modules/order", AE_IFREG, 0644, order, strlen(order), 0, 0);
	return r;
}

static int write_init(int fd, const char *init, size_t init_len, const struct mhp_guest_modules *modules)
{
	struct archive *a = open_cpio(fd);
	int r;

	if (!a)
		return -EIO;
	if ((r = add_entry(a, "dev", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0 &&
	    (r = add_entry(a, "dev/console", AE_IFCHR, 0600, NULL, 0, 5, 1)) == 0 &&
	    (r = add_entry(a, "proc", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0 &&
	    (r = add_entry(a, "sys", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0)
		r = add_entry(a, "init", AE_IFREG, 0755, init, init_len, 0, 0);
	if (r == 0 && modules && modules->paths.n)
		r = write_modules(a, modules);
	return close_cpio(a, r);
}

int mhp_initrd_write(const char *path, const char *init_path, const struct mhp_initrd_table *tables,
		     size_t ntables, const struct mhp_guest_modules *modules)
{
	_cleanup_free_ char *init = NULL;
	_cleanup_close_ int fd = -1;
	size_t init_len;
	int r = mhp_read_file(init_path, MAX_INIT_SIZE, &init, &init_len);

	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (ntables && (r = write_tables(fd, tables, ntables)) < 0)
		return r;
	if ((r = write_init(fd, init, init_len, modules)) < 0)
		return r;
	return fsync(fd) < 0 ? -errno : 0;
}
