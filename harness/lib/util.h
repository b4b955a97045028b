/* Small helpers shared by every harness module: deadlines, argv vectors,
 * size strings, whole-file I/O. */
#ifndef MHP_UTIL_H
#define MHP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#define MHP_FORMAT(m, n) __attribute__((format(printf, m, n)))

/* ---- deadlines: absolute CLOCK_MONOTONIC times in nanoseconds ---- */
typedef uint64_t mhp_deadline_t;

uint64_t mhp_now_ns(void);
mhp_deadline_t mhp_deadline_in_ms(uint64_t ms);
/* Milliseconds left (rounded up), 0 once expired: ready for poll(). */
int mhp_deadline_poll_ms(mhp_deadline_t d);
bool mhp_deadline_expired(mhp_deadline_t d);

/* Set to the signal number by mhp's SIGINT/SIGTERM handler; waits on
 * sockets then return -EINTR so the run can stop and keep its results. */
extern volatile sig_atomic_t mhp_interrupted;

struct pollfd;
/* poll() until deadline that a SIGINT/SIGTERM ends: the flag is checked
 * with both signals blocked, and ppoll unblocks them atomically (whatever
 * the caller's mask), so one that arrives just before the wait is not lost.  > 0 ready, 0 deadline,
 * -EINTR interrupted (mhp_interrupted set), -errno. */
int mhp_poll_interruptible(struct pollfd *fds, unsigned long n, mhp_deadline_t deadline);

/* ---- NULL-terminated vector of owned strings (argv, environment) ---- */
struct mhp_strv {
	char **v;
	size_t n, alloc;
};
#define MHP_STRV_INIT { NULL, 0, 0 }

/* Both abort on allocation failure: an argv we cannot build is not an
 * error path worth threading through every caller. */
void mhp_strv_push(struct mhp_strv *s, const char *str);
void mhp_strv_pushf(struct mhp_strv *s, const char *fmt, ...) MHP_FORMAT(2, 3);
void mhp_strv_release(struct mhp_strv *s);
/* Joins with single spaces into a new string (for logs only). */
char *mhp_strv_join(const struct mhp_strv *s);
/* Sorts the strings in strcmp order. */
void mhp_strv_sort(struct mhp_strv *s);

/* ---- allocation that cannot fail (aborts with a message) ---- */
void *mhp_xcalloc(size_t n, size_t size);
char *mhp_xstrdup(const char *s);
char *mhp_xasprintf(const char *fmt, ...) MHP_FORMAT(1, 2);

/* $XDG_CACHE_HOME/mhp/NAME, else ~/.cache/mhp/NAME (/tmp without HOME);
 * a new string. */
char *mhp_cache_path(const char *name);

/* FNV-1a over data, continuing from h (start with MHP_HASH_INIT): cache
 * keys, not security. */
#define MHP_HASH_INIT 0xcbf29ce484222325ull
uint64_t mhp_hash(uint64_t h, const void *data, size_t len);

/* mkdir -p; 0 when the directory exists afterwards. */
int mhp_mkdir_p(const char *path, mode_t mode);

/* Parses "512M", "1G", "1073741824", "0x40000000" into bytes.  Suffixes
 * K/M/G/T are binary.  Returns 0 or -EINVAL / -ERANGE. */
int mhp_parse_size(const char *s, uint64_t *ret_bytes);

/* Parses a decimal count from 1 to max into *ret; -EINVAL otherwise
 * (the caller says which option). */
int mhp_parse_count(const char *s, unsigned long max, unsigned *ret);

/* Parses a 64-bit number, decimal or 0x-hex, into *ret; -EINVAL for
 * anything else (signs, trailing bytes, overflow). */
int mhp_parse_u64(const char *s, uint64_t *ret);
/* "K/N", a 0-based shard K of N (0 <= K < N <= 2^20): 0, or -EINVAL. */
int mhp_parse_shard(const char *s, unsigned *ret_k, unsigned *ret_n);

/* Sleeps ms milliseconds (a signal may end it sooner). */
void mhp_sleep_ms(unsigned ms);

/* Removes every file in dir, then dir (it holds no directories): 0, or
 * rmdir's -errno when dir stays. */
int mhp_remove_flat_dir(const char *dir);

/* rm -rf of path (no symlink followed): 0, or the first -errno. */
int mhp_remove_tree(const char *path);

/* Reads a whole file of at most max bytes into a NUL-terminated buffer;
 * -EFBIG for a longer one. */
int mhp_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len);
/* Writes data to DIR/NAME through NAME.tmp + fsync + rename, so a reader
 * sees either the old file or the whole new one. */
int mhp_write_file_atomic(const char *path, const void *data, size_t len);
/* Copies a file of at most max bytes to another path, atomically as above. */
int mhp_copy_file(const char *from, const char *to, size_t max);

/* Replaces control characters (but \n and \t) with '?', in place: guest and
 * QEMU text is untrusted before it reaches a terminal. */
void mhp_sanitize(char *s);

#endif
