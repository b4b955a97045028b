/* Scope-bound release of resources, after systemd's and kmod's cleanup
 * attribute, written as static inline functions so -std=c11 -Wpedantic stays
 * clean.  Initialize every such variable where it is declared and hand
 * ownership away with TAKE_PTR() / TAKE_FD(). */
#ifndef MHP_CLEANUP_H
#define MHP_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

static inline void mhp_freep(void *p) { free(*(void **)p); }
static inline void mhp_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}
static inline void mhp_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(mhp_freep)
#define _cleanup_close_ _cleanup_(mhp_closep)
#define _cleanup_fclose_ _cleanup_(mhp_fclosep)

static inline void *mhp_take_ptr(void *pp)
{
	void **p = pp, *v = *p;
	*p = NULL;
	return v;
}
static inline int mhp_take_fd(int *fd)
{
	int v = *fd;
	*fd = -1;
	return v;
}
#define TAKE_PTR(p) mhp_take_ptr(&(p))
#define TAKE_FD(fd) mhp_take_fd(&(fd))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
