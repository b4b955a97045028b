#include "guest-init/modules.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-init/sysfs.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4 /* include/uapi/linux/module.h, 6.x */
#endif

static char loaded[512] = "-";

const char *modules_loaded(void)
{
	return loaded;
}

static bool compressed(const char *file)
{
	static const char *const suffixes[] = { ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t len = strlen(file);

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(suffixes[i]);
		if (len > n && !strcmp(file + len - n, suffixes[i]))
			return true;
	}
	return false;
}

/* "virtio_mem.ko.xz" is module virtio_mem. */
static void note_loaded(const char *file)
{
	size_t used = strcmp(loaded, "-") ? strlen(loaded) : 0;
	size_t name = strcspn(file, ".");

	if (used + name + 2 > sizeof(loaded))
		return; /* the list is for people; the kernel has them all */
	snprintf(loaded + used, sizeof(loaded) - used, "%s%.*s", used ? "," : "", (int)name, file);
	for (char *c = loaded + used; *c; c++)
		if (*c == '-')
			*c = '_'; /* as the kernel names it: crc-t10dif.ko is crc_t10dif */
}

static void load_one(const struct channel *ch, const char *file)
{
	char path[256], what[300];
	int fd;

	snprintf(path, sizeof(path), "/modules/%s", file);
	snprintf(what, sizeof(what), "module:%s", file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fatal(ch, what, errno);
	if (syscall(SYS_finit_module, fd, "", compressed(file) ? MODULE_INIT_COMPRESSED_FILE : 0) < 0 &&
	    errno != EEXIST) {
		int err = errno;
		close(fd);
		fatal(ch, what, err);
	}
	close(fd);
	note_loaded(file);
}

/* The kernel's own word that it has the module: /sys/module/<name>. */
static void check_loaded(const struct channel *ch, const char *names)
{
	char copy[sizeof(loaded)], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", names);
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		char path[300];
		struct stat st;

		snprintf(path, sizeof(path), "/sys/module/%s", name);
		if (stat(path, &st) < 0)
			fatal(ch, path, errno);
	}
}

void modules_load(const struct channel *ch)
{
	char order[4096], *save = NULL;
	int r = read_text("/modules/order", order, sizeof(order));

	if (r == -ENOENT)
		return; /* no modules to load */
	if (r < 0)
		fatal(ch, "/modules/order", -r);
	for (char *file = strtok_r(order, "\n", &save); file; file = strtok_r(NULL, "\n", &save))
		load_one(ch, file);
	check_loaded(ch, loaded);
}
