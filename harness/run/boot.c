#include "run/boot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest-init/wire.h"
#include "lib/cleanup.h"
#include "report/health.h"
#include "run/steps.h"

static int cold(struct mhp_boot *b, struct mhp_guest *g, struct mhp_machine *m, char *how)
{
	uint64_t t0 = mhp_now_ns();
	int r;

	free(b->how);
	b->how = how;
	m->restore = NULL;
	if ((r = mhp_guest_start(g, m)) == 0)
		b->cold_boot_ns = mhp_now_ns() - t0;
	return r;
}

/* A snapshot QEMU would not take (another QEMU build wrote it, the file
 * is cut short) costs one cold boot, never the run. */
static int retry_cold(struct mhp_boot *b, struct mhp_guest *g, struct mhp_machine *m)
{
	_cleanup_free_ char *console = mhp_xasprintf("%s/console.log", m->log_dir);
	char *how = mhp_xasprintf("cold: boot snapshot %s did not restore (%s) and was dropped", b->snap.key, g->error);

	static const char *const logs[] = { "qemu.log", "qmp.log", "channel.log" };

	mhp_guest_teardown(g);
	b->guest_init(g);
	mhp_snapshot_drop(&b->snap);
	/* Why QEMU refused the stream stays readable beside the cold boot's logs. */
	for (size_t i = 0; i < ARRAY_SIZE(logs); i++) {
		_cleanup_free_ char *from = mhp_xasprintf("%s/%s", m->log_dir, logs[i]);
		_cleanup_free_ char *to = mhp_xasprintf("%s/restore-%s", m->log_dir, logs[i]);
		if (rename(from, to) < 0 && errno != ENOENT)
			unlink(from);
	}
	if (unlink(console) < 0 && errno != ENOENT) {
		char *more = mhp_xasprintf("%s (console.log not reset: %s)", how, strerror(errno));
		free(how);
		how = more;
	}
	return cold(b, g, m, how);
}

int mhp_boot_start(struct mhp_boot *b, struct mhp_guest *g, struct mhp_machine *m)
{
	char key[32];
	int r = -ENOTSUP;

	/* A backend that cannot save boots cold, its knobs on the command line. */
	if (b->snapshots && !g->ops->save)
		return cold(b, g, m, mhp_xasprintf("cold (the %s backend makes no boot snapshots)", g->ops->name));
	m->runtime_knobs = b->snapshots && !mhp_topology_plugs_at_boot(m->t);
	if (!b->snapshots)
		return cold(b, g, m, mhp_xstrdup("cold (snapshots off)"));
	/* The driver onlines that memory while the kernel boots, by the
	 * knobs of its command line: they cannot be set after a restore. */
	if (mhp_topology_plugs_at_boot(m->t))
		return cold(b, g, m, mhp_xstrdup("cold (a virtio-mem device plugs memory while the guest boots)"));
	if (!g->ops->shape || (r = g->ops->shape(m, key, sizeof(key))) < 0)
		return cold(b, g, m, mhp_xasprintf("cold (no snapshot key: %s)", strerror(-r)));
	if ((r = mhp_snapshot_acquire(&b->snap, NULL, key, mhp_deadline_in_ms(m->boot_timeout_ms))) < 0) {
		if (r == -EINTR) {
			free(b->how);
			b->how = mhp_xasprintf("not booted: interrupted while waiting for boot snapshot %s", key);
			g->interrupted = true;
			snprintf(g->error, sizeof(g->error), "interrupted while waiting for boot snapshot %s", key);
			return r;
		}
		return cold(b, g, m, mhp_xasprintf("cold (boot snapshot cache: %s)", strerror(-r)));
	}
	if (!b->snap.restore) {
		b->making = true;
		return cold(b, g, m, mhp_xasprintf("cold, to make boot snapshot %s", key));
	}
	if ((r = mhp_snapshot_begin_run(&b->snap, m->log_dir)) < 0)
		return cold(b, g, m, mhp_xasprintf("cold (boot snapshot %s: %s)", key, strerror(-r)));
	_cleanup_free_ char *made_by = mhp_snapshot_made_by(&b->snap);
	m->restore = b->snap.state;
	free(b->how);
	b->how = mhp_xasprintf("restored from boot snapshot %s (made by %s)", key, made_by);
	if ((r = mhp_guest_start(g, m)) == 0 || g->interrupted)
		return r;
	return retry_cold(b, g, m);
}

static void store(struct mhp_boot *b, struct mhp_guest *g, struct mhp_result *res);

/* A boot that warned or oopsed is not frozen into every later run: each
 * run of the shape then boots, and is checked, on its own. */
static bool boot_splatted(const char *dir, char *first, size_t size)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/console.log", dir), *console = NULL;
	struct mhp_splat splat;

	if (mhp_read_file(path, 64u << 20, &console, NULL) < 0 || mhp_health_scan(console, &splat, 1) == 0)
		return false;
	snprintf(first, size, "%s", splat.first);
	mhp_splat_release(&splat);
	return true;
}

static void save(struct mhp_boot *b, struct mhp_guest *g, struct mhp_result *res)
{
	char splat[160];

	mhp_result_phase(res, "snapshot");
	free(b->how);
	if (boot_splatted(g->m->log_dir, splat, sizeof(splat)))
		b->how = mhp_xasprintf("cold (no boot snapshot: the boot's console has '%s')", splat);
	else
		store(b, g, res);
	/* Whoever waits for this shape can go on now. */
	close(b->snap.lock_fd);
	b->snap.lock_fd = -1;
	b->making = false;
}

static void store(struct mhp_boot *b, struct mhp_guest *g, struct mhp_result *res)
{
	char err[512], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	_cleanup_free_ char *by = mhp_xasprintf("%s at %s in %s", res->topology, stamp, g->m->log_dir);
	if (mhp_snapshot_store(&b->snap, g, g->m->log_dir, by, b->cap, err, sizeof(err)) < 0)
		b->how = mhp_xasprintf("cold (boot snapshot %s not saved: %s)", b->snap.key, err);
	else
		b->how = mhp_xasprintf("cold, saved as boot snapshot %s", b->snap.key);
}

/* Whether the guest's "error ... errno=N" line says err. */
static bool refused_with(const char *line, int err)
{
	const char *p = strstr(line, " errno=");
	char *end;

	if (!p)
		return false;
	long v = strtol(p + 7, &end, 10);
	return end != p + 7 && (*end == '\0' || *end == ' ') && v == err;
}

/* The knobs of the topology's command line the guest sets instead. */
static int set_knobs(struct mhp_guest *g, struct mhp_result *res, struct mhp_strv *set)
{
	const struct mhp_strv *words = &g->m->t->cmdline;

	for (size_t i = 0; i < words->n; i++) {
		const char *w = words->v[i], *eq = strchr(w, '=');
		if (!mhp_wire_knob_of(w) || !eq)
			continue;
		_cleanup_free_ char *cmd = mhp_xasprintf("knob %.*s %s", (int)(eq - w), w, eq + 1);
		int r = mhp_guest_command(g, cmd, NULL, cmd);
		/* A kernel without the knob ignores it on its command line too
		 * (an older kernel in a bisect): the same, said. */
		if (r == -EREMOTEIO && refused_with(g->refusal, ENOENT)) {
			mhp_strv_pushf(set, "%s (the kernel has no such knob: ignored)", w);
			continue;
		}
		if (r < 0)
			return mhp_steps_guest_failed(res, g);
		mhp_strv_push(set, w);
	}
	if (!set->n)
		return 0;
	/* auto_online_blocks is in the hello, and the oracle reads it there. */
	if (mhp_guest_hello_again(g, "the guest's hello after the knobs") < 0)
		return mhp_steps_guest_failed(res, g);
	return 0;
}

int mhp_boot_settle(struct mhp_boot *b, struct mhp_guest *g, struct mhp_result *res)
{
	struct mhp_strv set = MHP_STRV_INIT;
	int r = 0;

	if (b->making)
		save(b, g, res);
	if (g->m->runtime_knobs) {
		mhp_result_phase(res, "knobs");
		r = set_knobs(g, res, &set);
	}
	_cleanup_free_ char *knobs = mhp_strv_join(&set);
	free(res->boot); /* what the start said, now said whole */
	res->boot = set.n ? mhp_xasprintf("%s; knobs set at run time: %s", b->how, knobs) : mhp_xstrdup(b->how);
	mhp_strv_release(&set);
	return r;
}

void mhp_boot_release(struct mhp_boot *b)
{
	mhp_snapshot_release(&b->snap);
	free(b->how);
	b->how = NULL;
}
