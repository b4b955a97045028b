/* Kernel images: the default one to boot, and a check that a file is an x86
 * bzImage (so a wrong path fails before QEMU starts). */
#ifndef MHP_KERNEL_H
#define MHP_KERNEL_H

#include <stddef.h>

/* Finds the newest boot_dir/<prefix>* (by version order, e.g. prefix
 * "vmlinuz-" or "vmlinuz-6.1.") into a new string.  -ENOENT when none. */
int mhp_kernel_newest(const char *boot_dir, const char *prefix, char **ret_path);

/* Reads the bzImage setup header of path: the "HdrS" magic and the version
 * string it points to ("6.1.0-56-amd64 (debian-kernel@...) #1 SMP ...").
 * -ENOEXEC when the file is not a bzImage; -errno when unreadable. */
int mhp_kernel_probe(const char *path, char *ret_version, size_t size);

#endif
