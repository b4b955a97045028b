/* The guest's initramfs, built with libarchive as a newc cpio: /init (the
 * static guest-init), /dev/console, the mount points it needs, and the
 * kernel modules init loads (/modules/order names their files in load
 * order, guest-init/modules.c). */
#ifndef MHP_INITRD_H
#define MHP_INITRD_H

#include <stddef.h>

#include "guest/modules.h"

/* An ACPI table for the kernel to take from the initrd. */
struct mhp_initrd_table {
	const char *name; /* file name under kernel/firmware/acpi/ */
	const char *path; /* the .aml on the host */
};

/* Writes the initrd to path: when there are tables, first an uncompressed
 * cpio holding kernel/firmware/acpi/<name> (where CONFIG_ACPI_TABLE_UPGRADE
 * looks, before the real initramfs), then the guest-init cpio with modules
 * (NULL: none).  Returns 0 or -errno (-ENOENT when init_path, a table or a
 * module is missing). */
int mhp_initrd_write(const char *path, const char *init_path, const struct mhp_initrd_table *tables,
		     size_t ntables, const struct mhp_guest_modules *modules);

#endif
