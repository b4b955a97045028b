/* mhp guest init: a static PID 1 that serves the harness over ttyS1.
 *
 * It mounts proc, sys and devtmpfs, opens the second serial port raw, listens
 * to kernel uevents for memory blocks, says hello, then answers commands (see
 * wire.h) until told to power off.  No shell, no busybox.  Every wait has a
 * deadline; anything fatal is reported on the channel and ends in power-off,
 * because PID 1 must never exit. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define MEMORY_SYSFS "/sys/devices/system/memory"
#define NODE_SYSFS "/sys/devices/system/node"
#define MAX_PENDING 4096
#define UEVENT_BUF 8192

static int chan_fd = -1;
static int uevent_fd = -1;

/* Ids of memory blocks whose add/remove uevent arrived and was not yet
 * handed to the harness by an await command. */
struct pending {
	unsigned ids[MAX_PENDING];
	unsigned n;
};
static struct pending added, removed;

/* ---------------------------------------------------------------- output */

static void console(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void console(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("mhp-init: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void chan_write_all(const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(chan_fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			console("channel write failed: %s", strerror(errno));
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Sends one wire line; the caller gives no trailing newline. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[MHP_WIRE_MAX_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	chan_write_all(line, (size_t)n);
}

static __attribute__((noreturn)) void power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}

static __attribute__((noreturn)) void fatal(const char *what, int err)
{
	console("fatal: %s: %s", what, strerror(err));
	if (chan_fd >= 0)
		say("fatal what=%s errno=%d", what, err);
	power_off();
}

/* ------------------------------------------------------------ time */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left < 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* ------------------------------------------------------------ sysfs */

static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = write(fd, text, strlen(text));
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : 0;
	if (close(fd) < 0 && !err)
		err = -errno;
	return err;
}

static uint64_t block_size(void)
{
	char buf[64];

	if (read_text(MEMORY_SYSFS "/block_size_bytes", buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 16);
}

/* The node a block belongs to: its directory holds a "nodeN" link. */
static int block_node(unsigned id)
{
	char path[PATH_MAX];
	struct dirent *de;
	int node = -1;

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u", id);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "node", 4) && de->d_name[4] >= '0' && de->d_name[4] <= '9')
			node = atoi(de->d_name + 4);
	closedir(d);
	return node;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Lists numeric suffixes of DIR's entries named PREFIX<N>, sorted. */
static unsigned list_numbered(const char *dir, const char *prefix, unsigned *ids, unsigned max)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		const char *s = de->d_name + plen;

		if (strncmp(de->d_name, prefix, plen) || *s < '0' || *s > '9')
			continue;
		ids[n++] = (unsigned)strtoul(s, NULL, 10);
	}
	closedir(d);
	qsort(ids, n, sizeof(*ids), cmp_unsigned);
	return n;
}

static void comma_list(char *s)
{
	for (; *s; s++)
		if (*s == ' ')
			*s = ',';
}

static void report_block(unsigned id, uint64_t bsize)
{
	char path[PATH_MAX], state[64] = "?", zones[256] = "";
	const char *zone = "-";

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/state", id);
	read_text(path, state, sizeof(state));
	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/valid_zones", id);
	read_text(path, zones, sizeof(zones));
	comma_list(zones);
	/* Online blocks show their own zone (or "none" when mixed). */
	if (!strcmp(state, "online"))
		zone = zones;
	say("block id=%u start=0x%llx node=%d state=%s zone=%s valid_zones=%s", id,
	    (unsigned long long)(id * bsize), block_node(id), state, zone, zones[0] ? zones : "-");
}

static void report_node(unsigned id)
{
	char path[PATH_MAX], buf[4096];
	unsigned long long kb = 0;
	char *p;

	snprintf(path, sizeof(path), NODE_SYSFS "/node%u/meminfo", id);
	if (read_text(path, buf, sizeof(buf)) == 0 && (p = strstr(buf, "MemTotal:")))
		kb = strtoull(p + strlen("MemTotal:"), NULL, 10);
	say("node id=%u memtotal_kb=%llu", id, kb);
}

/* /sys/firmware/memmap/N: the firmware's map plus hot-added ranges. */
static void report_memmap(void)
{
	static unsigned ids[1024];
	unsigned n = list_numbered("/sys/firmware/memmap", "", ids, sizeof(ids) / sizeof(ids[0]));

	for (unsigned i = 0; i < n; i++) {
		char path[PATH_MAX], start[32] = "", end[32] = "", type[64] = "";

		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/start", ids[i]);
		read_text(path, start, sizeof(start));
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/end", ids[i]);
		read_text(path, end, sizeof(end));
		snprintf(path, sizeof(path), "/sys/firmware/memmap/%u/type", ids[i]);
		read_text(path, type, sizeof(type));
		for (char *p = type; *p; p++)
			if (*p == ' ')
				*p = '_';
		say("memmap start=%s end=%s type=%s", start, end, type[0] ? type : "-");
	}
}

/* /proc/zoneinfo: a "Node N, zone NAME" header, then "spanned", "present",
 * "managed" and, for populated zones only, "start_pfn" lines; each zone is
 * sent when the next header (or the end) comes. */
struct zone_acc {
	unsigned node;
	char name[32];
	unsigned long long present, managed, spanned, start_pfn;
};

static void say_zone(const struct zone_acc *z)
{
	if (z->name[0])
		say("zone node=%u name=%s present=%llu managed=%llu spanned=%llu start_pfn=%llu", z->node, z->name,
		    z->present, z->managed, z->spanned, z->start_pfn);
}

static void report_zones(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	struct zone_acc z = { 0 }, next;
	char line[256];
	unsigned long long v;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		memset(&next, 0, sizeof(next));
		if (sscanf(line, "Node %u, zone %31s", &next.node, next.name) == 2) {
			say_zone(&z);
			z = next;
		} else if (sscanf(line, " spanned %llu", &v) == 1)
			z.spanned = v;
		else if (sscanf(line, " present %llu", &v) == 1)
			z.present = v;
		else if (sscanf(line, " managed %llu", &v) == 1)
			z.managed = v;
		else if (sscanf(line, " start_pfn: %llu", &v) == 1)
			z.start_pfn = v;
	}
	say_zone(&z);
	fclose(f);
}

static void cmd_report(void)
{
	static unsigned ids[65536];
	uint64_t bsize = block_size();
	unsigned n = list_numbered(MEMORY_SYSFS, "memory", ids, sizeof(ids) / sizeof(ids[0]));

	for (unsigned i = 0; i < n; i++)
		report_block(ids[i], bsize);
	n = list_numbered(NODE_SYSFS, "node", ids, sizeof(ids) / sizeof(ids[0]));
	for (unsigned i = 0; i < n; i++)
		report_node(ids[i]);
	report_memmap();
	report_zones();
	say("end");
}

/* ------------------------------------------------------------ uevents */

static void uevent_open(void)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int size = 4 << 20;

	uevent_fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			   NETLINK_KOBJECT_UEVENT);
	if (uevent_fd < 0)
		fatal("uevent-socket", errno);
	/* Large: a 4 GiB DIMM sends 32 adds in a burst, plus online events. */
	setsockopt(uevent_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (bind(uevent_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		fatal("uevent-bind", errno);
}

static void pending_push(struct pending *p, unsigned id)
{
	if (p->n < MAX_PENDING)
		p->ids[p->n++] = id;
}

/* One datagram: "ACTION@DEVPATH\0KEY=VALUE\0...".  Only memory blocks count. */
static void uevent_handle(const char *buf, size_t len)
{
	const char *action = NULL, *devpath = NULL, *subsystem = NULL;

	for (size_t off = 0; off < len; off += strlen(buf + off) + 1) {
		const char *kv = buf + off;

		if (!strncmp(kv, "ACTION=", 7))
			action = kv + 7;
		else if (!strncmp(kv, "DEVPATH=", 8))
			devpath = kv + 8;
		else if (!strncmp(kv, "SUBSYSTEM=", 10))
			subsystem = kv + 10;
	}
	if (!action || !devpath || !subsystem || strcmp(subsystem, "memory"))
		return;
	const char *name = strrchr(devpath, '/');
	if (!name || strncmp(name, "/memory", 7) || name[7] < '0' || name[7] > '9')
		return;
	unsigned id = (unsigned)strtoul(name + 7, NULL, 10);
	if (!strcmp(action, "add"))
		pending_push(&added, id);
	else if (!strcmp(action, "remove"))
		pending_push(&removed, id);
}

static void uevent_drain(void)
{
	char buf[UEVENT_BUF];

	for (;;) {
		ssize_t n = recv(uevent_fd, buf, sizeof(buf) - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* ENOBUFS: events were lost; the report still tells the truth. */
			console("uevent recv: %s", strerror(errno));
			return;
		}
		buf[n] = '\0';
		uevent_handle(buf, (size_t)n);
	}
}

/* Waits until COUNT ids are pending, then answers with all of them. */
static void cmd_await(struct pending *p, unsigned count, int ms)
{
	int64_t deadline = now_ms() + ms;
	char line[MHP_WIRE_MAX_LINE] = "";
	size_t off = 0;

	uevent_drain();
	while (p->n < count) {
		struct pollfd pfd = { .fd = uevent_fd, .events = POLLIN };
		int left = left_ms(deadline);

		if (left == 0) {
			say("error what=await have=%u want=%u errno=%d", p->n, count, ETIMEDOUT);
			return;
		}
		if (poll(&pfd, 1, left) < 0 && errno != EINTR)
			fatal("poll", errno);
		uevent_drain();
	}
	for (unsigned i = 0; i < p->n && off < sizeof(line) - 16; i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%u", i ? "," : "", p->ids[i]);
	p->n = 0;
	say("ok ids=%s", line[0] ? line : "-");
}

/* ------------------------------------------------------------ online/offline */

static void cmd_online(unsigned id, const char *type)
{
	char path[PATH_MAX];
	int r;

	if (strcmp(type, "online") && strcmp(type, "online_kernel") && strcmp(type, "online_movable")) {
		say("error what=online id=%u errno=%d", id, EINVAL);
		return;
	}
	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/state", id);
	r = write_text(path, type);
	if (r < 0)
		say("error what=online id=%u errno=%d", id, -r);
	else
		say("ok");
}

/* The kernel retries offlining until the writer gets a signal, so the write
 * happens in a child that is killed when the deadline passes. */
static void cmd_offline(unsigned id, int ms)
{
	char path[PATH_MAX];
	int status, pidfd;
	pid_t pid;

	snprintf(path, sizeof(path), MEMORY_SYSFS "/memory%u/state", id);
	pid = fork();
	if (pid < 0) {
		say("error what=offline id=%u errno=%d", id, errno);
		return;
	}
	if (pid == 0)
		_exit(-write_text(path, "offline") & 0xff);
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int64_t deadline = now_ms() + ms;
	int ready;
	do
		ready = poll(&pfd, 1, left_ms(deadline));
	while (ready < 0 && errno == EINTR);
	if (ready == 0)
		kill(pid, SIGKILL);
	if (pidfd >= 0)
		close(pidfd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ready == 0)
		say("error what=offline id=%u errno=%d", id, ETIMEDOUT);
	else if (WIFEXITED(status) && WEXITSTATUS(status))
		say("error what=offline id=%u errno=%d", id, WEXITSTATUS(status));
	else
		say("ok");
}

/* ------------------------------------------------------------ data */

/* Patterned memory that must survive migration off a DIMM: anonymous pages
 * bound to the DIMM's node, and page cache of a tmpfs file created under the
 * same policy.  Every 8-byte word holds a value derived from the seed, the
 * page index and the word index. */
struct data {
	unsigned char *anon;    /* anon_pages pages */
	unsigned char *file;    /* file_pages pages, a mapping of /data/fill */
	size_t anon_pages, file_pages;
	uint64_t seed;
};
static struct data data;

#define PAGE 4096
#define MPOL_BIND 2

static uint64_t pattern(uint64_t seed, uint64_t page, uint64_t word)
{
	uint64_t x = seed ^ (page * 0x9e3779b97f4a7c15ull) ^ (word * 0xc2b2ae3d27d4eb4full);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return x ^ (x >> 29);
}

static void write_pages(unsigned char *base, size_t pages, uint64_t first)
{
	for (size_t p = 0; p < pages; p++)
		for (size_t w = 0; w < PAGE / 8; w++)
			((uint64_t *)(base + p * PAGE))[w] = pattern(data.seed, first + p, w);
}

static size_t check_pages(const unsigned char *base, size_t pages, uint64_t first)
{
	size_t bad = 0;

	for (size_t p = 0; p < pages; p++)
		for (size_t w = 0; w < PAGE / 8; w++)
			bad += ((const uint64_t *)(base + p * PAGE))[w] != pattern(data.seed, first + p, w);
	return bad;
}

/* How many of the pages sit in [start, end): /proc/self/pagemap gives each
 * present page's frame number (bits 0-54; PID 1 has CAP_SYS_ADMIN). */
static size_t pages_in_range(const unsigned char *base, size_t pages, uint64_t start, uint64_t end)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	size_t in = 0;

	if (fd < 0)
		return 0;
	for (size_t p = 0; p < pages; p++) {
		uint64_t entry = 0;
		off_t off = (off_t)(((uintptr_t)base / PAGE + p) * sizeof(entry));

		if (pread(fd, &entry, sizeof(entry), off) != sizeof(entry) || !(entry >> 63))
			continue;
		uint64_t phys = (entry & ((1ull << 55) - 1)) * PAGE;
		in += phys >= start && phys < end;
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

/* fill NODE START END KIB SEED: half anonymous, half tmpfs page cache. */
static void cmd_fill(unsigned node, uint64_t start, uint64_t end, size_t kib, uint64_t seed)
{
	size_t pages = kib / 4, anon = pages / 2, file = pages - anon;
	int r;

	if (data.anon || data.file || !pages) {
		say("error what=fill errno=%d", data.anon ? EBUSY : EINVAL);
		return;
	}
	data.seed = seed;
	data.anon = mmap(NULL, anon * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	data.file = map_file_pages(file);
	if (data.anon == MAP_FAILED || !data.file) {
		say("error what=fill-map errno=%d", errno);
		data.anon = data.file = NULL;
		return;
	}
	if ((r = bind_to_node(data.anon, anon * PAGE, node)) < 0 || (r = bind_to_node(data.file, file * PAGE, node)) < 0) {
		say("error what=fill-mbind errno=%d", -r);
		return;
	}
	data.anon_pages = anon;
	data.file_pages = file;
	write_pages(data.anon, anon, 0);
	write_pages(data.file, file, anon);
	say("ok pages=%zu on_range=%zu on_node=%zu", pages,
	    pages_in_range(data.anon, anon, start, end) + pages_in_range(data.file, file, start, end),
	    pages_on_node(data.anon, anon, node) + pages_on_node(data.file, file, node));
}

/* verify START END: every word of every page, and how many pages still sit
 * in [start, end) (0 once the DIMM is gone). */
static void cmd_verify(uint64_t start, uint64_t end)
{
	if (!data.anon) {
		say("error what=verify errno=%d", ENOENT);
		return;
	}
	size_t bad = check_pages(data.anon, data.anon_pages, 0) + check_pages(data.file, data.file_pages, data.anon_pages);
	size_t in = pages_in_range(data.anon, data.anon_pages, start, end) +
		    pages_in_range(data.file, data.file_pages, start, end);
	say("ok pages=%zu bad_words=%zu on_range=%zu", data.anon_pages + data.file_pages, bad, in);
}

/* A debug knob for the harness's own tests: one flipped byte must be found. */
static void cmd_corrupt(void)
{
	if (!data.anon) {
		say("error what=corrupt errno=%d", ENOENT);
		return;
	}
	data.anon[data.anon_pages / 2 * PAGE + 123] ^= 0x40;
	say("ok");
}

/* pin NODE KIB: unmovable kernel memory on NODE, from one of its CPUs:
 * directories on a tmpfs (dentries and inodes are slab, which never
 * migrates), about 1 KiB each.  Makes a hot-remove of a kernel-zone DIMM
 * on that node fail. */
static void cmd_pin(unsigned node, size_t kib)
{
	char path[PATH_MAX], cpus[256] = "";
	cpu_set_t set, old;
	unsigned made = 0;

	snprintf(path, sizeof(path), NODE_SYSFS "/node%u/cpulist", node);
	if (read_text(path, cpus, sizeof(cpus)) < 0 || !cpus[0] || cpus[0] < '0' || cpus[0] > '9') {
		say("error what=pin-no-cpu errno=%d", ENODEV);
		return;
	}
	CPU_ZERO(&set);
	CPU_SET(atoi(cpus), &set);
	if (sched_getaffinity(0, sizeof(old), &old) < 0 || sched_setaffinity(0, sizeof(set), &set) < 0) {
		say("error what=pin-affinity errno=%d", errno);
		return;
	}
	if ((mkdir("/pin", 0755) < 0 && errno != EEXIST) || (mount("tmpfs", "/pin", "tmpfs", 0, NULL) < 0 && errno != EBUSY)) {
		say("error what=pin-mount errno=%d", errno);
		sched_setaffinity(0, sizeof(old), &old);
		return;
	}
	for (size_t i = 0; i < kib; i++) {
		snprintf(path, sizeof(path), "/pin/%u-%zu", node, i);
		made += mkdir(path, 0755) == 0;
	}
	sched_setaffinity(0, sizeof(old), &old);
	say("ok dirs=%u cpu=%d", made, atoi(cpus));
}

/* sysrq KEY: a test knob ("c" panics the kernel). */
static void cmd_sysrq(const char *key)
{
	int r;

	if (strlen(key) != 1) {
		say("error what=sysrq errno=%d", EINVAL);
		return;
	}
	r = write_text("/proc/sysrq-trigger", key);
	if (r < 0)
		say("error what=sysrq errno=%d", -r);
	else
		say("ok");
}

/* ------------------------------------------------------------ ACPI tables */

/* Sends /sys/firmware/acpi/tables/NAME as hex lines, for the harness to
 * disassemble and regenerate. */
static void cmd_acpi_table(const char *name)
{
	char path[PATH_MAX], line[MHP_WIRE_MAX_LINE];
	unsigned char buf[1024];
	size_t total = 0;
	ssize_t n;

	if (strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(name) || strlen(name) > 8) {
		say("error what=acpi-table errno=%d", EINVAL);
		return;
	}
	snprintf(path, sizeof(path), "/sys/firmware/acpi/tables/%s", name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say("error what=acpi-table errno=%d", errno);
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			sprintf(line + 2 * i, "%02x", buf[i]);
		say("acpi-data hex=%s", line);
		total += (size_t)n;
	}
	close(fd);
	say("ok bytes=%zu", total);
}

/* ------------------------------------------------------------ commands */

static void dispatch(char *line)
{
	char *argv[8] = { 0 };
	int argc = 0;

	for (char *tok = strtok(line, " "); tok && argc < 8; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	if (argc == 0)
		return;
	if (!strcmp(argv[0], "report") && argc == 1)
		cmd_report();
	else if (!strcmp(argv[0], "await-add") && argc == 3)
		cmd_await(&added, (unsigned)atoi(argv[1]), atoi(argv[2]));
	else if (!strcmp(argv[0], "await-remove") && argc == 3)
		cmd_await(&removed, (unsigned)atoi(argv[1]), atoi(argv[2]));
	else if (!strcmp(argv[0], "online") && argc == 3)
		cmd_online((unsigned)atoi(argv[1]), argv[2]);
	else if (!strcmp(argv[0], "offline") && argc == 3)
		cmd_offline((unsigned)atoi(argv[1]), atoi(argv[2]));
	else if (!strcmp(argv[0], "fill") && argc == 6)
		cmd_fill((unsigned)atoi(argv[1]), strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0),
			 strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	else if (!strcmp(argv[0], "verify") && argc == 3)
		cmd_verify(strtoull(argv[1], NULL, 0), strtoull(argv[2], NULL, 0));
	else if (!strcmp(argv[0], "pin") && argc == 3)
		cmd_pin((unsigned)atoi(argv[1]), strtoull(argv[2], NULL, 0));
	else if (!strcmp(argv[0], "sysrq") && argc == 2)
		cmd_sysrq(argv[1]);
	else if (!strcmp(argv[0], "corrupt") && argc == 1)
		cmd_corrupt();
	else if (!strcmp(argv[0], "acpi-table") && argc == 2)
		cmd_acpi_table(argv[1]);
	else if (!strcmp(argv[0], "poweroff") && argc == 1) {
		say("ok");
		power_off();
	} else
		say("error what=unknown-command errno=%d", EINVAL);
}

/* Reads what the channel holds (one read: raw mode with VMIN=1 returns what
 * is there once poll said readable) and runs each complete line.  An overlong
 * line is dropped whole and answered with an error. */
static void channel_read(void)
{
	static char line[MHP_WIRE_MAX_LINE];
	static size_t len;
	static bool overflow;
	char buf[512];
	ssize_t n = read(chan_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0)
		fatal("channel-read", errno);
	for (ssize_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		if (c != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = c;
			else
				overflow = true;
			continue;
		}
		line[len] = '\0';
		if (overflow)
			say("error what=line-too-long errno=%d", E2BIG);
		else
			dispatch(line);
		len = 0;
		overflow = false;
	}
}

/* ------------------------------------------------------------ setup */

static void mount_or_die(const char *src, const char *dir, const char *type)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		fatal(dir, errno);
	if (mount(src, dir, type, MS_NOSUID | MS_NOEXEC, NULL) < 0 && errno != EBUSY)
		fatal(dir, errno);
}

static void channel_open(void)
{
	struct termios tio;

	chan_fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (chan_fd < 0)
		fatal("open-ttyS1", errno);
	if (tcgetattr(chan_fd, &tio) < 0)
		fatal("tcgetattr-ttyS1", errno);
	cfmakeraw(&tio);
	tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	cfsetspeed(&tio, B115200);
	if (tcsetattr(chan_fd, TCSANOW, &tio) < 0)
		fatal("tcsetattr-ttyS1", errno);
	/* Blocking from here on: a report must not be cut short. */
	int fl = fcntl(chan_fd, F_GETFL);
	if (fl < 0 || fcntl(chan_fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		fatal("fcntl-ttyS1", errno);
}

static void say_hello(void)
{
	struct utsname u;
	char nodes[256] = "-", auto_online[32] = "-", memmap[16] = "-", pagetypes[128] = "";
	unsigned pageblock_order = 0;

	if (uname(&u) < 0)
		fatal("uname", errno);
	read_text(NODE_SYSFS "/online", nodes, sizeof(nodes));
	read_text(MEMORY_SYSFS "/auto_online_blocks", auto_online, sizeof(auto_online));
	/* Absent without CONFIG_MHP_MEMMAP_ON_MEMORY: then the knob does nothing. */
	read_text("/sys/module/memory_hotplug/parameters/memmap_on_memory", memmap, sizeof(memmap));
	/* "Page block order: 9": memmap_on_memory needs whole pageblocks. */
	if (read_text("/proc/pagetypeinfo", pagetypes, sizeof(pagetypes)) == 0)
		sscanf(pagetypes, "Page block order: %u", &pageblock_order);
	say("hello proto=%d release=%s block_size=0x%llx nodes=%s auto_online=%s memmap_on_memory=%s pageblock_order=%u",
	    MHP_WIRE_PROTO, u.release, (unsigned long long)block_size(), nodes, auto_online, memmap[0] ? memmap : "-",
	    pageblock_order);
}

static bool cmdline_has(const char *word)
{
	char cmdline[4096];

	return read_text("/proc/cmdline", cmdline, sizeof(cmdline)) == 0 && strstr(cmdline, word);
}

/* The harness's KVM probe only needs to know that a boot comes back. */
static void probe_mode(void)
{
	if (cmdline_has("mhp.probe=1"))
		power_off();
}

/* Test hook: an init that says hello, then never answers again. */
static void hang_mode(void)
{
	if (!cmdline_has("mhp.test_hang=1"))
		return;
	for (;;)
		pause();
}

int main(void)
{
	mount_or_die("proc", "/proc", "proc");
	mount_or_die("sysfs", "/sys", "sysfs");
	mount_or_die("devtmpfs", "/dev", "devtmpfs");
	probe_mode();
	uevent_open();
	channel_open();
	say_hello();
	hang_mode();
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = chan_fd, .events = POLLIN },
			{ .fd = uevent_fd, .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			fatal("poll", errno);
		if (pfd[1].revents)
			uevent_drain();
		if (pfd[0].revents & POLLIN)
			channel_read();
	}
}
