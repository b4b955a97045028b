#include "guest/kernel-image.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/util.h"

int mhp_kernel_newest(const char *boot_dir, const char *prefix, char **ret_path)
{
	DIR *d = opendir(boot_dir);
	struct dirent *de;
	char best[256] = "";

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)) || strlen(de->d_name) >= sizeof(best))
			continue;
		if (!best[0] || strverscmp(de->d_name, best) > 0)
			strcpy(best, de->d_name);
	}
	closedir(d);
	if (!best[0])
		return -ENOENT;
	*ret_path = mhp_xasprintf("%s/%s", boot_dir, best);
	return 0;
}

static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -ENOEXEC;
}

int mhp_kernel_probe(const char *path, char *ret_version, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char hdr[0x210];
	char ver[128];
	int r;

	if (fd < 0)
		return -errno;
	if ((r = pread_all(fd, hdr, sizeof(hdr), 0)) < 0)
		return r;
	/* Documentation/arch/x86/boot.rst: boot_flag 0xAA55 at 0x1FE, "HdrS" at 0x202,
	 * kernel_version at 0x20E (offset of the string minus 0x200). */
	if (hdr[0x1fe] != 0x55 || hdr[0x1ff] != 0xaa || memcmp(hdr + 0x202, "HdrS", 4))
		return -ENOEXEC;
	uint16_t vofs = (uint16_t)(hdr[0x20e] | hdr[0x20f] << 8);
	if (vofs == 0 || (r = pread_all(fd, ver, sizeof(ver), (off_t)vofs + 0x200)) < 0)
		return -ENOEXEC;
	ver[sizeof(ver) - 1] = '\0';
	mhp_sanitize(ver);
	snprintf(ret_version, size, "%s", ver);
	return 0;
}
