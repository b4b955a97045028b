/* The guest's initramfs, built with libarchive as a newc cpio: /init (the
 * static guest-init), /dev/console, and the mount points it needs. */
#ifndef MHP_INITRD_H
#define MHP_INITRD_H

/* Writes the initrd to path from the guest-init binary at init_path.
 * Returns 0 or -errno (-ENOENT when init_path is missing). */
int mhp_initrd_write(const char *path, const char *init_path);

#endif
