#include "lib/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/cleanup.h"

volatile sig_atomic_t mhp_interrupted;

uint64_t mhp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

mhp_deadline_t mhp_deadline_in_ms(uint64_t ms)
{
	return mhp_now_ns() + ms * 1000000ull;
}

int mhp_deadline_poll_ms(mhp_deadline_t d)
{
	uint64_t now = mhp_now_ns();

	if (now >= d)
		return 0;
	uint64_t ms = (d - now + 999999) / 1000000;
	return ms > 1000000000 ? 1000000000 : (int)ms;
}

int mhp_poll_interruptible(struct pollfd *fds, unsigned long n, mhp_deadline_t deadline)
{
	sigset_t stop, old, during;
	int r;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &stop, &old) < 0)
		return -errno;
	/* In the wait both are open, even to a caller that blocked them. */
	during = old;
	sigdelset(&during, SIGINT);
	sigdelset(&during, SIGTERM);
	do {
		uint64_t now = mhp_now_ns(), left = deadline > now ? deadline - now : 0;
		struct timespec ts = { .tv_sec = (time_t)(left / 1000000000u), .tv_nsec = (long)(left % 1000000000u) };

		r = mhp_interrupted ? -EINTR : ppoll(fds, (nfds_t)n, &ts, &during);
		if (r < 0 && r != -EINTR)
			r = -errno;
	} while (r == -EINTR && !mhp_interrupted); /* a signal of another kind: wait on */
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

bool mhp_deadline_expired(mhp_deadline_t d)
{
	return mhp_now_ns() >= d;
}

static void oom(void)
{
	fputs("mhp: out of memory\n", stderr);
	abort();
}

void *mhp_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

char *mhp_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	return p;
}

char *mhp_xasprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

static void strv_push_owned(struct mhp_strv *s, char *str)
{
	if (s->n + 2 > s->alloc) {
		size_t alloc = s->alloc ? 2 * s->alloc : 16;
		char **v = realloc(s->v, alloc * sizeof(*v));

		if (!v)
			oom();
		s->v = v;
		s->alloc = alloc;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
}

void mhp_strv_push(struct mhp_strv *s, const char *str)
{
	strv_push_owned(s, mhp_xstrdup(str));
}

void mhp_strv_pushf(struct mhp_strv *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strv_push_owned(s, xvasprintf(fmt, ap));
	va_end(ap);
}

void mhp_strv_release(struct mhp_strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

char *mhp_strv_join(const struct mhp_strv *s)
{
	size_t len = 1;

	for (size_t i = 0; i < s->n; i++)
		len += strlen(s->v[i]) + 1;
	char *out = mhp_xcalloc(len, 1), *p = out;
	for (size_t i = 0; i < s->n; i++)
		p += sprintf(p, "%s%s", i ? " " : "", s->v[i]);
	return out;
}

char *mhp_cache_path(const char *name)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	const char *sep = *name ? "/" : "";

	if (xdg && *xdg)
		return mhp_xasprintf("%s/mhp%s%s", xdg, sep, name);
	return mhp_xasprintf("%s/.cache/mhp%s%s", home && *home ? home : "/tmp", sep, name);
}

int mhp_parse_size(const char *s, uint64_t *ret_bytes)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	default: return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret_bytes = (uint64_t)v << shift;
	return 0;
}

int mhp_read_file(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 0;

	if (fd < 0)
		return -errno;
	/* Grown as the file comes, never max up front; one byte past max
	 * is read to tell "exactly max" from "more". */
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 64 * 1024;
			cap = cap > max + 1 ? max + 1 : cap;
			char *more = realloc(buf, cap + 1);
			if (!more)
				abort();
			buf = more;
		}
		ssize_t n = read(fd, buf + len, cap - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -EFBIG;
	}
	if (!buf)
		buf = mhp_xcalloc(1, 1);
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int mhp_write_file_atomic(const char *path, const void *data, size_t len)
{
	/* One temporary per process: workers may write the same cache file. */
	_cleanup_free_ char *tmp = mhp_xasprintf("%s.tmp-%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

void mhp_sanitize(char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s) && *s != '\n' && *s != '\t')
			*s = '?';
}

uint64_t mhp_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull; /* FNV-1a */
	return h;
}

int mhp_mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *copy = mhp_xstrdup(path);

	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(copy, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int mhp_parse_count(const char *s, unsigned long max, unsigned *ret)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || v == 0 || v > max)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

int mhp_parse_u64(const char *s, uint64_t *ret)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	char *end;
	unsigned long long v;

	if (!isxdigit((unsigned char)*digits) || (!hex && !isdigit((unsigned char)*digits)))
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int mhp_parse_shard(const char *s, unsigned *ret_k, unsigned *ret_n)
{
	const char *slash = strchr(s, '/');
	char *k = slash ? mhp_xasprintf("%.*s", (int)(slash - s), s) : NULL;
	uint64_t vk, vn;
	int r = -EINVAL;

	if (k && mhp_parse_u64(k, &vk) == 0 && mhp_parse_u64(slash + 1, &vn) == 0 && vk < vn && vn <= 1u << 20) {
		*ret_k = (unsigned)vk, *ret_n = (unsigned)vn;
		r = 0;
	}
	free(k);
	return r;
}

int mhp_copy_file(const char *from, const char *to, size_t max)
{
	char *data = NULL;
	size_t len = 0;
	int r = mhp_read_file(from, max, &data, &len);

	if (r == 0)
		r = mhp_write_file_atomic(to, data, len);
	free(data);
	return r;
}

void mhp_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL); /* EINTR: sooner, which every caller allows */
}

int mhp_remove_flat_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d) {
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				(void)unlinkat(dirfd(d), de->d_name, 0); /* rmdir below tells */
		closedir(d);
	}
	return rmdir(dir) < 0 ? -errno : 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int mhp_remove_tree(const char *path)
{
	int r = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	if (r < 0 && errno == ENOENT)
		return 0;
	return r > 0 ? -EIO : r < 0 ? (r == -1 ? -errno : r) : 0;
}

static int by_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void mhp_strv_sort(struct mhp_strv *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), by_strcmp);
}
