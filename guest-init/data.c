#include "guest-init/data.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096
#define MPOL_BIND 2

static uint64_t page_seed(uint64_t seed, uint64_t page)
{
	uint64_t x = seed ^ (page * 0x9e3779b97f4a7c15ull);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return x ^ (x >> 29);
}

/* Word w of a page holds the page's own seed plus w times an odd constant:
 * a page moved, zeroed or shifted and a single flipped bit all show, and a
 * word costs an add under TCG (a hash per word made a 64 MiB fill 0.65 s). */
#define WORD_STEP 0xc2b2ae3d27d4eb4full

static void write_pages(unsigned char *base, size_t pages, uint64_t first, uint64_t seed)
{
	for (size_t p = 0; p < pages; p++) {
		uint64_t *words = (uint64_t *)(base + p * PAGE), v = page_seed(seed, first + p);

		for (size_t w = 0; w < PAGE / 8; w++, v += WORD_STEP)
			words[w] = v;
	}
}

static size_t check_pages(const unsigned char *base, size_t pages, uint64_t first, uint64_t seed)
{
	size_t bad = 0;

	for (size_t p = 0; p < pages; p++) {
		const uint64_t *words = (const uint64_t *)(base + p * PAGE);
		uint64_t v = page_seed(seed, first + p);

		for (size_t w = 0; w < PAGE / 8; w++, v += WORD_STEP)
			bad += words[w] != v;
	}
	return bad;
}

/* How many of the pages sit in [start, end): /proc/self/pagemap gives each
 * present page's frame number (bits 0-54; PID 1 has CAP_SYS_ADMIN), read
 * 512 entries a call (a call per page cost 0.2 s for 64 MiB under TCG). */
static size_t pages_in_range(const unsigned char *base, size_t pages, uint64_t start, uint64_t end)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t entry[512];
	size_t in = 0;

	if (fd < 0)
		return 0;
	for (size_t done = 0; done < pages;) {
		size_t n = pages - done < 512 ? pages - done : 512;
		off_t off = (off_t)(((uintptr_t)base / PAGE + done) * sizeof(entry[0]));
		ssize_t got = pread(fd, entry, n * sizeof(entry[0]), off);

		if (got <= 0)
			break;
		n = (size_t)got / sizeof(entry[0]);
		for (size_t i = 0; i < n; i++) {
			uint64_t phys = (entry[i] & ((1ull << 55) - 1)) * PAGE;
			in += (entry[i] >> 63) && phys >= start && phys < end;
		}
		done += n;
	}
	close(fd);
	return in;
}

/* How many of the pages are on node: move_pages(2) with no target nodes
 * only reports where each page is. */
static size_t pages_on_node(unsigned char *base, size_t pages, unsigned node)
{
	size_t on = 0;

	for (size_t done = 0; done < pages;) {
		void *addr[512];
		int status[512];
		size_t n = pages - done < 512 ? pages - done : 512;

		for (size_t i = 0; i < n; i++)
			addr[i] = base + (done + i) * PAGE;
		if (syscall(SYS_move_pages, 0, n, addr, NULL, status, 0) < 0)
			return 0;
		for (size_t i = 0; i < n; i++)
			on += status[i] == (int)node;
		done += n;
	}
	return on;
}

/* Binds a mapping to node (a VMA policy; for a tmpfs mapping, the file's
 * shared policy): its pages come from the node whenever they are faulted. */
static int bind_to_node(void *addr, size_t len, unsigned node)
{
	unsigned long mask[16] = { 0 };

	if (node >= sizeof(mask) * 8)
		return -EINVAL;
	mask[node / (8 * sizeof(long))] = 1ul << (node % (8 * sizeof(long)));
	return syscall(SYS_mbind, addr, len, MPOL_BIND, mask, sizeof(mask) * 8, 0) < 0 ? -errno : 0;
}

static void *map_file_pages(size_t pages)
{
	if (mkdir("/data", 0755) < 0 && errno != EEXIST)
		return NULL;
	if (mount("tmpfs", "/data", "tmpfs", 0, "size=90%") < 0 && errno != EBUSY)
		return NULL;
	int fd = open("/data/fill", O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	void *p = ftruncate(fd, (off_t)(pages * PAGE)) < 0 ? MAP_FAILED
		: mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static size_t data_in_range(const struct fill_data *d, uint64_t start, uint64_t end)
{
	return pages_in_range(d->anon, d->anon_pages, start, end) +
	       pages_in_range(d->file, d->file_pages, start, end);
}

static void unmap_data(struct fill_data *d, size_t anon, size_t file)
{
	if (d->anon)
		munmap(d->anon, anon * PAGE);
	if (d->file)
		munmap(d->file, file * PAGE);
	d->anon = d->file = NULL;
}

/* Maps anon + file pages into d.  0, or -errno with nothing mapped. */
static int map_data(struct fill_data *d, size_t anon, size_t file)
{
	int err;

	d->anon = mmap(NULL, anon * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->anon == MAP_FAILED) {
		err = errno;
		d->anon = NULL;
		return -err;
	}
	d->file = map_file_pages(file);
	if (!d->file) {
		err = errno;
		unmap_data(d, anon, file);
		return -err;
	}
	return 0;
}

void data_fill(const struct channel *ch, struct fill_data *d, unsigned node, uint64_t start,
	       uint64_t end, size_t kib, uint64_t seed)
{
	size_t pages = kib / 4, anon = pages / 2, file = pages - anon;
	int r;

	if (d->anon || d->file || !pages) {
		say(ch, "error what=fill errno=%d", d->anon ? EBUSY : EINVAL);
		return;
	}
	if ((r = map_data(d, anon, file)) < 0) {
		say(ch, "error what=fill-map errno=%d", -r);
		return;
	}
	if ((r = bind_to_node(d->anon, anon * PAGE, node)) < 0 || (r = bind_to_node(d->file, file * PAGE, node)) < 0) {
		unmap_data(d, anon, file);
		say(ch, "error what=fill-mbind errno=%d", -r);
		return;
	}
	d->seed = seed;
	d->anon_pages = anon;
	d->file_pages = file;
	write_pages(d->anon, anon, 0, seed);
	write_pages(d->file, file, anon, seed);
	say(ch, "ok pages=%zu on_range=%zu on_node=%zu", pages, data_in_range(d, start, end),
	    pages_on_node(d->anon, anon, node) + pages_on_node(d->file, file, node));
}

void data_verify(const struct channel *ch, const struct fill_data *d, uint64_t start, uint64_t end)
{
	if (!d->anon) {
		say(ch, "error what=verify errno=%d", ENOENT);
		return;
	}
	size_t bad = check_pages(d->anon, d->anon_pages, 0, d->seed) +
		     check_pages(d->file, d->file_pages, d->anon_pages, d->seed);
	say(ch, "ok pages=%zu bad_words=%zu on_range=%zu", d->anon_pages + d->file_pages, bad,
	    data_in_range(d, start, end));
}

void data_corrupt(const struct channel *ch, struct fill_data *d)
{
	if (!d->anon) {
		say(ch, "error what=corrupt errno=%d", ENOENT);
		return;
	}
	d->anon[d->anon_pages / 2 * PAGE + 123] ^= 0x40;
	say(ch, "ok");
}
