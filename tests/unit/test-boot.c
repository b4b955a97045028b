/* run/boot.c on a fake guest backend: a shape is booted cold and saved
 * once, then restored; a snapshot that does not restore costs a cold boot;
 * a boot that splatted is not saved; the runtime knobs are set in the guest
 * (one the kernel lacks is ignored, as on a command line) and the hello is
 * asked again. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "lib/process.h"
#include "run/boot.h"

#define KEY "00000000deadbeef"
#define CLEAN_CONSOLE "[    0.000000] Linux version 6.1.0\n[    1.000000] Run /init as init process\n"
#define SPLAT_CONSOLE "[    0.5] WARNING: CPU: 0 PID: 1 at mm/page_alloc.c:1 f+0x1/0x2\n[    0.5] ---[ end trace 0 ]---\n"

static char tmp[] = "/tmp/mhp-boot-XXXXXX";

/* What the fake guest was asked, and how it answers. */
static struct {
	unsigned starts, restores, saves;
	bool restore_fails;
	int knob_errno;          /* 0: the knob command succeeds */
	char commands[512];
} fake;

static int fake_start(struct mhp_guest *g, const struct mhp_machine *m)
{
	g->m = m;
	fake.starts++;
	if (m->restore) {
		fake.restores++;
		if (fake.restore_fails) {
			snprintf(g->error, sizeof(g->error), "QEMU exited (exit status 1) while waiting for the snapshot");
			return -EIO;
		}
	}
	snprintf(g->hello.auto_online, sizeof(g->hello.auto_online), "offline");
	return 0;
}

static int fake_command(struct mhp_guest *g, const char *cmd, struct mhp_wire_msg *ret_ok, const char *awaited)
{
	(void)awaited;
	strncat(fake.commands, cmd, sizeof(fake.commands) - strlen(fake.commands) - 2);
	strcat(fake.commands, ";");
	if (!strncmp(cmd, "knob ", 5) && fake.knob_errno) {
		snprintf(g->refusal, sizeof(g->refusal), "error what=knob errno=%d", fake.knob_errno);
		snprintf(g->error, sizeof(g->error), "guest answered '%s' to %s", g->refusal, cmd);
		return -EREMOTEIO;
	}
	if (!strcmp(cmd, "hello"))
		return mhp_wire_msg_parse(ret_ok, "ok proto=1 release=6.1.0 block_size=0x8000000 nodes=0-1 "
						  "auto_online=online_movable memmap_on_memory=N pageblock_order=9");
	return 0;
}

static int fake_save(struct mhp_guest *g, const char *path)
{
	FILE *f = fopen(path, "w");

	(void)g;
	fake.saves++;
	assert_non_null(f);
	fputs("migration stream", f);
	return fclose(f) == 0 ? 0 : -EIO;
}

static int fake_shape(const struct mhp_machine *m, char *key, size_t size)
{
	(void)m;
	snprintf(key, size, KEY);
	return 0;
}

static void fake_teardown(struct mhp_guest *g)
{
	(void)g;
}

static const struct mhp_guest_ops fake_ops = {
	.name = "fake", .start = fake_start, .command = fake_command, .save = fake_save, .shape = fake_shape,
	.teardown = fake_teardown,
};

static void fake_init(struct mhp_guest *g)
{
	*g = (struct mhp_guest){ .ops = &fake_ops };
}

static char *at(const char *name)
{
	return mhp_xasprintf("%s/%s", tmp, name);
}

static void write_console(const char *text)
{
	char *path = at("run/console.log");
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	free(path);
}

/* One run of a topology with a runtime knob: start, then settle; its
 * res->boot into *ret_boot (owned by the caller). */
static int one_run(const char *console, char **ret_boot, struct mhp_guest *g)
{
	struct mhp_topology t = { .name = "t" };
	char *dir = at("run");
	struct mhp_machine m = { .t = &t, .log_dir = dir, .boot_timeout_ms = 2000 };
	struct mhp_boot b = { .snapshots = true, .cap = 1ull << 30, .guest_init = fake_init, .snap = MHP_SNAPSHOT_INIT };
	struct mhp_result res;
	int r;

	mhp_strv_push(&t.cmdline, "movable_node");
	mhp_strv_push(&t.cmdline, "memhp_default_state=online_movable");
	fake_init(g);
	mhp_result_init(&res, "t");
	write_console(console);
	if ((r = mhp_boot_start(&b, g, &m)) == 0)
		r = mhp_boot_settle(&b, g, &res);
	*ret_boot = res.boot ? mhp_xstrdup(res.boot) : mhp_xasprintf("(start: %s)", b.how);
	mhp_boot_release(&b);
	mhp_result_release(&res);
	mhp_strv_release(&t.cmdline);
	free(dir);
	return r;
}

static bool snapshot_there(void)
{
	char *state = at("cache/mhp/snapshots/" KEY "/state");
	bool there = access(state, F_OK) == 0;

	free(state);
	return there;
}

static void reset(void)
{
	char *cache = at("cache");
	char *argv[] = { "rm", "-rf", cache, NULL };

	assert_int_equal(mhp_run_capture(argv, mhp_deadline_in_ms(10000), 0, NULL), 0);
	memset(&fake, 0, sizeof(fake));
	setenv("XDG_CACHE_HOME", cache, 1);
	free(cache);
}

static void test_made_then_restored(void **state)
{
	(void)state;
	struct mhp_guest g;
	char *boot = NULL;

	reset();
	assert_int_equal(one_run(CLEAN_CONSOLE, &boot, &g), 0);
	assert_string_equal(boot, "cold, saved as boot snapshot " KEY "; knobs set at run time: "
				  "memhp_default_state=online_movable");
	assert_int_equal(fake.saves, 1);
	assert_true(snapshot_there());
	/* The knob went to the guest, then the hello was asked again. */
	assert_string_equal(fake.commands, "knob memhp_default_state online_movable;hello;");
	assert_string_equal(g.hello.auto_online, "online_movable");
	free(boot);
	assert_int_equal(one_run(CLEAN_CONSOLE, &boot, &g), 0);
	assert_int_equal(strncmp(boot, "restored from boot snapshot " KEY " (made by t at ", 43), 0);
	assert_int_equal(fake.restores, 1);
	assert_int_equal(fake.saves, 1);
	free(boot);
}

static void test_restore_fails(void **state)
{
	(void)state;
	struct mhp_guest g;
	char *boot = NULL;

	reset();
	assert_int_equal(one_run(CLEAN_CONSOLE, &boot, &g), 0);
	free(boot);
	fake.restore_fails = true;
	assert_int_equal(one_run(CLEAN_CONSOLE, &boot, &g), 0);
	/* Tried, dropped, booted cold: the run goes on. */
	assert_int_equal(fake.restores, 1);
	assert_int_equal(fake.starts, 3);
	assert_false(snapshot_there());
	assert_int_equal(strncmp(boot, "cold: boot snapshot " KEY " did not restore (QEMU exited (exit status 1)", 60), 0);
	free(boot);
}

static void test_splat_not_saved(void **state)
{
	(void)state;
	struct mhp_guest g;
	char *boot = NULL;

	reset();
	assert_int_equal(one_run(SPLAT_CONSOLE, &boot, &g), 0);
	assert_int_equal(fake.saves, 0);
	assert_false(snapshot_there());
	assert_int_equal(strncmp(boot, "cold (no boot snapshot: the boot's console has 'WARNING: CPU: 0 PID: 1", 70), 0);
	free(boot);
	/* The next run of the shape boots too, and may save a clean boot. */
	assert_int_equal(one_run(CLEAN_CONSOLE, &boot, &g), 0);
	assert_int_equal(fake.restores, 0);
	assert_true(snapshot_there());
	free(boot);
}

struct knob_row {
	const char *name;
	int err, ret;
	const char *boot_tail; /* the end of res->boot, when ret is 0 */
};

static const struct knob_row knob_rows[] = {
	{ "knob: a kernel without it ignores it, as on a command line", ENOENT, 0,
	  "knobs set at run time: memhp_default_state=online_movable (the kernel has no such knob: ignored)" },
	{ "knob: a value the kernel refuses stops the run", EINVAL, -1, NULL },
};

static void test_knob(void **state)
{
	const struct knob_row *row = *state;
	struct mhp_guest g;
	char *boot = NULL;

	reset();
	fake.knob_errno = row->err;
	assert_int_equal(one_run(CLEAN_CONSOLE, &boot, &g), row->ret);
	if (row->boot_tail) {
		const char *tail = boot + strlen(boot) - strlen(row->boot_tail);
		assert_string_equal(tail, row->boot_tail);
	}
	free(boot);
}

int main(void)
{
	static struct test_list l;
	char *run;

	assert_non_null(mkdtemp(tmp));
	run = at("run");
	assert_int_equal(mkdir(run, 0755), 0);
	free(run);
	TEST_ONE(&l, test_made_then_restored);
	TEST_ONE(&l, test_restore_fails);
	TEST_ONE(&l, test_splat_not_saved);
	TEST_ROWS(&l, test_knob, knob_rows);
	int r = TEST_RUN("boot", &l);
	char *argv[] = { "rm", "-rf", tmp, NULL };
	mhp_run_capture(argv, mhp_deadline_in_ms(10000), 0, NULL);
	return r;
}
