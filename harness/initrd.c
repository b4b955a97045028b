#include "initrd.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "util.h"

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

int mhp_initrd_write(const char *path, const char *init_path)
{
	_cleanup_free_ char *init = NULL;
	size_t init_len;
	struct archive *a;
	int r = mhp_read_file(init_path, MAX_INIT_SIZE, &init, &init_len);

	if (r < 0)
		return r;
	a = archive_write_new();
	if (!a)
		return -ENOMEM;
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK) {
		r = archive_errno(a) > 0 ? -archive_errno(a) : -EIO;
		archive_write_free(a);
		return r;
	}
	if ((r = add_entry(a, "dev", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0 &&
	    (r = add_entry(a, "dev/console", AE_IFCHR, 0600, NULL, 0, 5, 1)) == 0 &&
	    (r = add_entry(a, "proc", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0 &&
	    (r = add_entry(a, "sys", AE_IFDIR, 0755, NULL, 0, 0, 0)) == 0)
		r = add_entry(a, "init", AE_IFREG, 0755, init, init_len, 0, 0);
	if (archive_write_close(a) != ARCHIVE_OK && r == 0)
		r = archive_errno(a) > 0 ? -archive_errno(a) : -EIO;
	archive_write_free(a);
	return r;
}
