/* Reading and writing the small text files of sysfs and procfs. */
#ifndef MHP_GUEST_SYSFS_H
#define MHP_GUEST_SYSFS_H

#include <stddef.h>
#include <stdint.h>

#define MEMORY_SYSFS "/sys/devices/system/memory"
#define NODE_SYSFS "/sys/devices/system/node"

/* Reads path into buf (NUL-terminated, trailing newlines and spaces cut).
 * 0 or -errno; buf is untouched on failure. */
int read_text(const char *path, char *buf, size_t size);

/* Writes text to path in one write.  0 or -errno. */
int write_text(const char *path, const char *text);

/* The numeric suffixes of dir's entries named prefix<N>, sorted, at most
 * max of them; 0 when dir cannot be read. */
unsigned list_numbered(const char *dir, const char *prefix, unsigned *ids, unsigned max);

/* The memory block size in bytes, 0 when unknown. */
uint64_t block_size(void);

#endif
