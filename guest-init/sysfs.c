#include "guest-init/sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = write(fd, text, strlen(text));
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : 0;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

unsigned list_numbered(const char *dir, const char *prefix, unsigned *ids, unsigned max)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		const char *s = de->d_name + plen;

		if (strncmp(de->d_name, prefix, plen) || *s < '0' || *s > '9')
			continue;
		ids[n++] = (unsigned)strtoul(s, NULL, 10);
	}
	closedir(d);
	qsort(ids, n, sizeof(*ids), cmp_unsigned);
	return n;
}

uint64_t block_size(void)
{
	char buf[64];

	if (read_text(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 16);
}
