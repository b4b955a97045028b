#include "guest-init/acpi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ACPI_TABLES "/sys/firmware/acpi/tables"
#define ACPI_CHUNK 1024

/* Signatures are upper case and digits (SSDT2 for the second SSDT): no path
 * can be made of one. */
static bool valid_sig(const char *sig)
{
	size_t len = strlen(sig);

	return len <= 8 && strspn(sig, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == len;
}

static ssize_t read_chunk(int fd, unsigned char *buf, size_t size)
{
	ssize_t n;

	do
		n = read(fd, buf, size);
	while (n < 0 && errno == EINTR);
	return n;
}

void acpi_table_dump(const struct channel *ch, const char *sig)
{
	char path[PATH_MAX], hex[2 * ACPI_CHUNK + 1];
	unsigned char buf[ACPI_CHUNK];
	size_t total = 0;
	ssize_t n;

	if (!valid_sig(sig)) {
		say(ch, "error what=acpi-table errno=%d", EINVAL);
		return;
	}
	snprintf(path, sizeof(path), ACPI_TABLES "/%s", sig);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say(ch, "error what=acpi-table errno=%d", errno);
		return;
	}
	while ((n = read_chunk(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", buf[i]);
		say(ch, "acpi-data hex=%s", hex);
		total += (size_t)n;
	}
	int err = n < 0 ? errno : 0;
	close(fd);
	if (err)
		say(ch, "error what=acpi-table errno=%d", err);
	else
		say(ch, "ok bytes=%zu", total);
}
