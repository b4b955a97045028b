/* QEMU command line built from a scenario. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "testutil.h"
#include "guest/qemu-guest.h"
#include "guest/qemu.h"
#include "lib/cleanup.h"

static struct mhp_topology two_nodes(void)
{
	struct mhp_topology s = { .name = mhp_xstrdup("t"), .machine = "pc", .nr_nodes = 2, .slots = 4, .maxmem = 8ull << 30 };

	s.nodes[0] = (struct mhp_node){ .memory = 512ull << 20, .cpus = 1, .pxm = 0 };
	s.nodes[1] = (struct mhp_node){ .memory = 1ull << 30, .cpus = 2, .pxm = 1 };
	mhp_strv_push(&s.cmdline, "movable_node");
	return s;
}

static const struct mhp_qemu_config cfg = {
	.accel = "tcg", .kernel = "/k", .initrd = "/i", .console_log = "/r/console.log",
	.qmp_socket = "/t/qmp.sock", .chan_socket = "/t/channel.sock", .extra_append = "loglevel=8",
};

/* The value that follows option opt, or NULL. */
static const char *after(const struct mhp_strv *v, const char *opt, int nth)
{
	for (size_t i = 0; i + 1 < v->n; i++)
		if (!strcmp(v->v[i], opt) && nth-- == 0)
			return v->v[i + 1];
	return NULL;
}

static void test_argv(void **state)
{
	(void)state;
	struct mhp_topology s = two_nodes();
	struct mhp_strv v = MHP_STRV_INIT;

	mhp_qemu_build_argv(&cfg, &s, &v);
	assert_string_equal(v.v[0], "qemu-system-x86_64");
	assert_null(v.v[v.n]);
	assert_string_equal(after(&v, "-machine", 0), "pc,i8042=off");
	assert_string_equal(after(&v, "-accel", 0), "tcg,thread=single");
	assert_string_equal(after(&v, "-smp", 0), "3,sockets=3,cores=1,threads=1");
	assert_string_equal(after(&v, "-m", 0), "1536M,slots=4,maxmem=8192M");
	assert_string_equal(after(&v, "-object", 0), "memory-backend-ram,id=ram-node0,size=512M");
	assert_string_equal(after(&v, "-numa", 0), "node,nodeid=0,cpus=0,memdev=ram-node0");
	assert_string_equal(after(&v, "-object", 1), "memory-backend-ram,id=ram-node1,size=1024M");
	assert_string_equal(after(&v, "-numa", 1), "node,nodeid=1,cpus=1-2,memdev=ram-node1");
	assert_string_equal(after(&v, "-kernel", 0), "/k");
	assert_string_equal(after(&v, "-initrd", 0), "/i");
	assert_string_equal(after(&v, "-append", 0), "console=ttyS0 panic=-1 rdinit=/init nokaslr movable_node loglevel=8");
	/* ttyS0 is the console file, ttyS1 the channel; QMP is a monitor. */
	assert_string_equal(after(&v, "-chardev", 0), "file,id=console,path=/r/console.log,append=on");
	assert_string_equal(after(&v, "-serial", 0), "chardev:console");
	assert_string_equal(after(&v, "-chardev", 1), "socket,id=channel,path=/t/channel.sock");
	assert_string_equal(after(&v, "-serial", 1), "chardev:channel");
	assert_string_equal(after(&v, "-chardev", 2), "socket,id=qmp,path=/t/qmp.sock");
	assert_string_equal(after(&v, "-mon", 0), "chardev=qmp,mode=control");
	for (size_t i = 0; i < v.n; i++) /* no shell, no quoting: one word each */
		assert_null(strchr(v.v[i], '\''));
	char *joined = mhp_strv_join(&v);
	assert_non_null(strstr(joined, "-nodefaults -no-user-config -nographic -no-reboot"));
	free(joined);
	mhp_strv_release(&v);
	mhp_topology_release(&s);
}

static void test_probe_has_no_sockets(void **state)
{
	(void)state;
	struct mhp_topology s = two_nodes();
	struct mhp_qemu_config probe = cfg;
	struct mhp_strv v = MHP_STRV_INIT;

	probe.probe = true;
	probe.accel = "kvm";
	mhp_qemu_build_argv(&probe, &s, &v);
	assert_string_equal(after(&v, "-machine", 0), "pc,i8042=off");
	assert_string_equal(after(&v, "-accel", 0), "kvm");
	assert_null(after(&v, "-mon", 0));
	assert_null(after(&v, "-chardev", 1));
	assert_non_null(strstr(after(&v, "-append", 0), " mhp.probe=1"));
	mhp_strv_release(&v);
	mhp_topology_release(&s);
}

/* A virtio-mem device is on the command line, asking for nothing yet; a
 * DIMM is not (device_add plugs it). */
static void test_virtio_mem(void **state)
{
	(void)state;
	struct mhp_topology s = two_nodes();
	struct mhp_strv v = MHP_STRV_INIT;

	s.nr_dimms = 2;
	s.dimms[0] = (struct mhp_dimm){ .id = "d0", .size = 512ull << 20, .node = 0, .pxm = -1 };
	s.dimms[1] = (struct mhp_dimm){ .id = "vm0", .kind = MHP_DEVICE_VIRTIO_MEM, .size = 1ull << 30, .node = 1,
					.pxm = -1, .block_size = 256ull << 20 };
	mhp_qemu_build_argv(&cfg, &s, &v);
	assert_string_equal(after(&v, "-object", 2), "memory-backend-ram,id=mem-vm0,size=1024M");
	assert_string_equal(after(&v, "-device", 0),
			    "virtio-mem-pci,id=vm0,memdev=mem-vm0,node=1,requested-size=0,block-size=268435456");
	assert_null(after(&v, "-object", 3));
	assert_string_equal(after(&v, "-device", 1), "pvpanic");
	mhp_strv_release(&v);
	mhp_topology_release(&s);
}

static void test_q35(void **state)
{
	(void)state;
	struct mhp_topology s = two_nodes();
	struct mhp_strv v = MHP_STRV_INIT;

	strcpy(s.machine, "q35");
	mhp_qemu_build_argv(&cfg, &s, &v);
	assert_string_equal(after(&v, "-machine", 0), "q35,i8042=off");
	mhp_strv_release(&v);
	mhp_topology_release(&s);
}

/* A restore waits for its stream; the knobs the guest sets at run time leave
 * the command line, boot-only ones stay; a shape leaves the run's name out. */
static void test_snapshot_argv(void **state)
{
	(void)state;
	struct mhp_topology s = two_nodes();
	struct mhp_qemu_config c = cfg;
	struct mhp_strv cold = MHP_STRV_INIT, restore = MHP_STRV_INIT;

	mhp_strv_push(&s.cmdline, "memhp_default_state=online");
	mhp_strv_push(&s.cmdline, "memory_hotplug.online_policy=auto-movable");
	mhp_strv_push(&s.cmdline, "memory_hotplug.memmap_on_memory=1");
	mhp_qemu_build_argv(&c, &s, &cold);
	assert_null(after(&cold, "-incoming", 0));
	assert_string_equal(after(&cold, "-name", 0), "mhp-t");
	assert_string_equal(after(&cold, "-append", 0),
			    "console=ttyS0 panic=-1 rdinit=/init nokaslr movable_node memhp_default_state=online "
			    "memory_hotplug.online_policy=auto-movable memory_hotplug.memmap_on_memory=1 loglevel=8");
	c.incoming = c.runtime_knobs = c.shape = true;
	mhp_qemu_build_argv(&c, &s, &restore);
	assert_string_equal(after(&restore, "-incoming", 0), "defer");
	assert_string_equal(after(&restore, "-name", 0), "mhp-");
	assert_string_equal(after(&restore, "-append", 0),
			    "console=ttyS0 panic=-1 rdinit=/init nokaslr movable_node memory_hotplug.memmap_on_memory=1 loglevel=8");
	mhp_strv_release(&cold);
	mhp_strv_release(&restore);
	mhp_topology_release(&s);
}

/* A failure before QEMU ever started (a socket, the initrd) is said as
 * what it is, not as "QEMU exited (still running)". */
static void test_fail_before_start(void **state)
{
	(void)state;
	struct mhp_machine m = { .timeout_ms = 1000, .boot_timeout_ms = 1000 };
	struct mhp_guest g;

	mhp_qemu_guest_init(&g);
	g.m = &m;
	assert_int_equal(mhp_qemu_fail(&g, -ENAMETOOLONG, "a QMP socket"), -ENAMETOOLONG);
	assert_string_equal(g.error, "File name too long while waiting for a QMP socket");
	mhp_guest_teardown(&g);
}

/* The version line comes from the cache while the binary is the same file,
 * and a changed binary (here: new times) is another file to the cache. */
static void test_version_cache(void **state)
{
	(void)state;
	char dir[] = "/tmp/mhp-qver-XXXXXX";
	uint64_t before, after;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *bin = mhp_xasprintf("%s/qemu", dir), *cache = mhp_xasprintf("%s/cache", dir);
	assert_int_equal(mhp_write_file_atomic(bin, "#", 1), 0);
	assert_int_equal(setenv("XDG_CACHE_HOME", cache, 1), 0);
	assert_int_equal(mhp_qemu_identity(bin, &before), 0);
	_cleanup_free_ char *line = mhp_xasprintf("%s/mhp/qemu-version/%016" PRIx64, cache, before);
	_cleanup_free_ char *vdir = mhp_xasprintf("%s/mhp/qemu-version", cache);
	assert_int_equal(mhp_mkdir_p(vdir, 0755), 0);
	assert_int_equal(mhp_write_file_atomic(line, "QEMU emulator version 9.9.9", 27), 0);
	_cleanup_free_ char *got = mhp_qemu_version_line(bin); /* not executable: only the cache can answer */
	assert_non_null(got);
	assert_string_equal(got, "QEMU emulator version 9.9.9");
	assert_int_equal(utimensat(AT_FDCWD, bin, (struct timespec[]){ { 1, 0 }, { 1, 0 } }, 0), 0);
	assert_int_equal(mhp_qemu_identity(bin, &after), 0);
	assert_true(before != after);
	assert_int_equal(mhp_qemu_identity("/nonexistent/qemu", &after), -ENOENT);
	assert_int_equal(unsetenv("XDG_CACHE_HOME"), 0);
	assert_int_equal(mhp_remove_tree(dir), 0);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_argv);
	TEST_ONE(&l, test_probe_has_no_sockets);
	TEST_ONE(&l, test_q35);
	TEST_ONE(&l, test_virtio_mem);
	TEST_ONE(&l, test_snapshot_argv);
	TEST_ONE(&l, test_fail_before_start);
	TEST_ONE(&l, test_version_cache);
	return TEST_RUN("qemu", &l);
}
