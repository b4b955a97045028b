/* Boot snapshots with QEMU: the guest's whole state after boot saved as a
 * migration stream to a file, and a new QEMU with the same command line
 * restored from it (-incoming defer, then migrate-incoming).  No shell: the
 * file goes to QEMU as a descriptor over the QMP socket (getfd, SCM_RIGHTS)
 * and both sides use an "fd:NAME" URI. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest/qemu-guest.h"
#include "guest/qemu.h"
#include "lib/cleanup.h"

#define FD_NAME "mhp-snapshot"
#define POLL_MS 5 /* a restore takes a few hundred ms: a coarse poll shows */

/* QEMU's answer at path of a query command, as a new string ("" if none). */
static int query_string(struct mhp_qemu_guest *q, mhp_deadline_t d, const char *cmd, const char *path, char *buf,
			size_t size)
{
	json_object *ret = NULL;
	int r = mhp_qmp_execute_ref(&q->qmp, d, cmd, NULL, &ret);

	if (r == 0) {
		const char *v = mhp_json_path_string(ret, path);
		snprintf(buf, size, "%s", v ? v : "");
	}
	json_object_put(ret);
	return r;
}

/* A wait on QEMU's own status: query until it is one of done, go on while
 * it is one of going, anything else fails. */
struct status_wait {
	const char *query;         /* query-migrate, query-status */
	const char *const *done;
	const char *const *going;
	const char *awaited;       /* for messages */
};

static const struct status_wait migrated = {
	"query-migrate", (const char *const[]){ "completed", NULL },
	(const char *const[]){ "none", "setup", "active", "pre-switchover", "device", "wait-unplug", NULL },
	"the boot snapshot's migration stream",
};
static const struct status_wait cancelled = {
	"query-migrate", (const char *const[]){ "cancelled", "failed", "completed", "none", NULL },
	(const char *const[]){ "cancelling", "setup", "active", "pre-switchover", "device", "wait-unplug", NULL },
	"a migration to be cancelled",
};
/* After migrate-incoming: "inmigrate" while the stream loads, then the
 * state it carries (paused: it was saved stopped). */
static const struct status_wait loaded = {
	"query-status", (const char *const[]){ "paused", "postmigrate", NULL },
	(const char *const[]){ "inmigrate", NULL }, "the boot snapshot to load",
};

static bool one_of(const char *const *words, const char *w)
{
	for (; *words; words++)
		if (!strcmp(*words, w))
			return true;
	return false;
}

static int await_status(struct mhp_guest *g, mhp_deadline_t d, const struct status_wait *w)
{
	char status[32];
	int r;

	for (;;) {
		if ((r = query_string(mhp_qemu_of(g), d, w->query, "status", status, sizeof(status))) < 0)
			return mhp_qemu_fail(g, r, w->awaited);
		if (one_of(w->done, status))
			return 0;
		if (!one_of(w->going, status)) {
			snprintf(g->error, sizeof(g->error), "%s: QEMU says '%s' (see qmp.log, qemu.log)", w->awaited, status);
			return -EIO;
		}
		if (mhp_deadline_expired(d) || mhp_interrupted)
			return mhp_qemu_fail(g, mhp_interrupted ? -EINTR : -ETIMEDOUT, w->awaited);
		mhp_sleep_ms(POLL_MS);
	}
}

static int qmp_do(struct mhp_guest *g, mhp_deadline_t d, const char *cmd, json_object *args)
{
	int r = mhp_qmp_execute_ref(&mhp_qemu_of(g)->qmp, d, cmd, args, NULL);

	return r < 0 ? mhp_qemu_fail(g, r, cmd) : 0;
}

static json_object *uri_args(void)
{
	json_object *args = json_object_new_object();

	json_object_object_add(args, "uri", json_object_new_string("fd:" FD_NAME));
	return args;
}

static int save_stopped(struct mhp_guest *g, const char *path, int fd, mhp_deadline_t d)
{
	int r;

	if ((r = mhp_qmp_getfd(&mhp_qemu_of(g)->qmp, d, FD_NAME, fd)) < 0)
		return mhp_qemu_fail(g, r, "getfd");
	if ((r = qmp_do(g, d, "migrate", uri_args())) < 0 || (r = await_status(g, d, &migrated)) < 0)
		return r;
	if (fdatasync(fd) < 0) {
		snprintf(g->error, sizeof(g->error), "cannot write '%s': %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* After a failed save the guest must run on as if nothing happened: no
 * migration left going (it would pause the guest when it completes), and
 * cont with a deadline of its own. */
static int resume(struct mhp_guest *g)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	int r;

	mhp_qmp_execute_ref(&q->qmp, mhp_guest_deadline(g), "migrate_cancel", NULL, NULL);
	await_status(g, mhp_guest_deadline(g), &cancelled);
	if ((r = mhp_qmp_execute_ref(&q->qmp, mhp_guest_deadline(g), "cont", NULL, NULL)) < 0)
		return mhp_qemu_fail(g, r, "cont after a failed snapshot save");
	return 0;
}

int mhp_qemu_save(struct mhp_guest *g, const char *path)
{
	/* A whole guest's memory goes to disk: as long as a boot may take. */
	mhp_deadline_t d = mhp_deadline_in_ms(g->m->boot_timeout_ms);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r;

	if (fd < 0) {
		snprintf(g->error, sizeof(g->error), "cannot create '%s': %s", path, strerror(errno));
		return -errno;
	}
	/* Paused first: the stream then holds a stopped guest, and a restored
	 * one stays paused until cont. */
	if ((r = qmp_do(g, d, "stop", NULL)) < 0 || (r = save_stopped(g, path, fd, d)) < 0) {
		/* The run goes on without a snapshot; the saved error stays. */
		char why[sizeof(g->error)];
		snprintf(why, sizeof(why), "%s", g->error);
		if (resume(g) < 0)
			return -EIO; /* g->error: the guest could not go on */
		snprintf(g->error, sizeof(g->error), "%s", why);
		return r;
	}
	return qmp_do(g, mhp_guest_deadline(g), "cont", NULL);
}

int mhp_qemu_restore(struct mhp_guest *g)
{
	struct mhp_qemu_guest *q = mhp_qemu_of(g);
	mhp_deadline_t d = mhp_deadline_in_ms(g->m->boot_timeout_ms);
	_cleanup_close_ int fd = open(g->m->restore, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0) {
		snprintf(g->error, sizeof(g->error), "cannot open the boot snapshot '%s': %s", g->m->restore,
			 strerror(errno));
		return -errno;
	}
	if ((r = mhp_qmp_getfd(&q->qmp, d, FD_NAME, fd)) < 0)
		return mhp_qemu_fail(g, r, "getfd");
	if ((r = qmp_do(g, d, "migrate-incoming", uri_args())) < 0 || (r = await_status(g, d, &loaded)) < 0 ||
	    (r = qmp_do(g, d, "cont", NULL)) < 0)
		return r;
	/* The guest said hello before the snapshot: ask again. */
	return mhp_guest_hello_again(g, "the restored guest's hello");
}

static int hash_file(uint64_t *h, const char *path)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = mhp_read_file(path, 1u << 30, &data, &len);

	if (r < 0)
		return r;
	*h = mhp_hash(*h, data, len);
	return 0;
}

int mhp_qemu_shape(const struct mhp_machine *m, char *key, size_t size)
{
	struct mhp_qemu_config cfg = { .binary = m->qemu, .accel = m->accel, .kernel = "K", .initrd = "I",
				       .console_log = "C", .qmp_socket = "Q", .chan_socket = "S", .extra_append = m->append,
				       .runtime_knobs = m->runtime_knobs, .shape = true };
	struct mhp_strv args = MHP_STRV_INIT;
	_cleanup_free_ char *version = mhp_qemu_version_line(m->qemu), *line = NULL;
	uint64_t h = MHP_HASH_INIT;
	int r;

	if (!version)
		return -ENOENT;
	mhp_qemu_build_argv(&cfg, m->t, &args);
	line = mhp_strv_join(&args);
	mhp_strv_release(&args);
	h = mhp_hash(h, version, strlen(version) + 1);
	h = mhp_hash(h, line, strlen(line) + 1);
	if ((r = hash_file(&h, m->kernel)) < 0 || (r = hash_file(&h, m->guest_init)) < 0)
		return r;
	for (size_t i = 0; i < m->ntables; i++) {
		h = mhp_hash(h, m->tables[i].name, strlen(m->tables[i].name) + 1);
		if ((r = hash_file(&h, m->tables[i].path)) < 0)
			return r;
	}
	for (size_t i = 0; m->modules && i < m->modules->paths.n; i++)
		if ((r = hash_file(&h, m->modules->paths.v[i])) < 0)
			return r;
	snprintf(key, size, "%016" PRIx64, h);
	return 0;
}
