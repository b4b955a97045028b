/* The libvirt backend's connection: the process's embed root (or the
 * user's URI), libvirt's event loop, what a killed mhp left swept away,
 * the events subscribed. */
#include "guest/libvirt-guest.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/log.h"

#define NAME_PREFIX "mhp-pid"

void mhp_lv_domain_name(const char *topology, char *buf, size_t size)
{
	snprintf(buf, size, NAME_PREFIX "%d-%.100s", (int)getpid(), topology);
}

void mhp_lv_signals_block(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

void mhp_lv_signals_restore(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* The PID in a name mhp gave a domain ("mhp-pidPID-TOPOLOGY"), or 0. */
static long name_pid(const char *name)
{
	char *end;
	long pid;

	if (strncmp(name, NAME_PREFIX, strlen(NAME_PREFIX)))
		return 0;
	pid = strtol(name + strlen(NAME_PREFIX), &end, 10);
	return *end == '-' ? pid : 0;
}

/* A domain a killed mhp left in this process's embed root (one process
 * each: every domain mhp named there is a dead one's).  A daemon's
 * domains are never swept: their PIDs may be another host's or another
 * PID namespace's, and a live run's would go. */
static bool leftover(const struct mhp_lv_guest *l, const char *name)
{
	long pid = name_pid(name);

	return !l->uri && pid > 0 && pid != getpid();
}

/* The domains of mhp's naming whose status libvirt kept in the embed root:
 * those that ran when the process using it died.  Read before the driver
 * starts, which reconnects to them (and may stop one itself). */
static void ran_before(const char *root, struct mhp_strv *names)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/run/qemu", root);
	DIR *d = opendir(path);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		long pid = name_pid(de->d_name);
		if (len > 4 && !strcmp(de->d_name + len - 4, ".xml") && pid > 0 && pid != getpid())
			mhp_strv_pushf(names, "%.*s", (int)(len - 4), de->d_name);
	}
	if (d)
		closedir(d);
}

static void forget(struct mhp_strv *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (names->v[i][0] && !strcmp(names->v[i], name))
			names->v[i][0] = '\0';
}

/* Embed mode has no autodestroy: what a killed mhp left runs on, unless
 * libvirt stopped it as it reconnected (before: those that ran). */
static void sweep(struct mhp_guest *g, struct mhp_strv *before)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	virDomainPtr *doms = NULL;
	int n = l->uri ? 0 : virConnectListAllDomains(l->conn, &doms, 0);

	if (n < 0)
		mhp_log_error("cannot list libvirt's domains for leftovers: %s", virGetLastErrorMessage());
	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);

		if (name && leftover(l, name)) {
			bool ok = (virDomainIsActive(doms[i]) != 1 || virDomainDestroy(doms[i]) == 0) &&
				  (virDomainIsPersistent(doms[i]) != 1 || virDomainUndefine(doms[i]) == 0);
			if (ok)
				forget(before, name);
			if (ok)
				mhp_log_notice("destroyed libvirt domain %s, left running by an mhp that was killed", name);
			else if (virGetLastErrorCode() != VIR_ERR_NO_DOMAIN)
				mhp_log_error("cannot destroy libvirt domain %s that a killed mhp left: %s", name,
					      virGetLastErrorMessage());
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	for (size_t i = 0; i < before->n; i++)
		if (before->v[i][0])
			mhp_log_notice("libvirt domain %s, left running by an mhp that was killed, was stopped by "
				       "libvirt itself as it reconnected to it", before->v[i]);
}

static int open_connection(struct mhp_guest *g, struct mhp_strv *before)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *embed = NULL;
	sigset_t old;
	int r;

	if (!l->uri && !(l->root = mhp_lv_process_root(g->error, sizeof(g->error))))
		return -EIO;
	if (!l->uri) {
		embed = mhp_xasprintf("qemu:///embed?root=%s", l->root);
		ran_before(l->root, before);
	}
	if ((r = mhp_lv_loop_start(g->m->log_dir)) < 0) {
		snprintf(g->error, sizeof(g->error), "cannot start libvirt's event loop: %s", strerror(-r));
		return r;
	}
	mhp_lv_log(g, "virConnectOpen %s", l->uri ? l->uri : embed);
	mhp_lv_signals_block(&old); /* the driver's threads start here */
	l->conn = virConnectOpen(l->uri ? l->uri : embed);
	mhp_lv_signals_restore(&old);
	if (!l->conn)
		return mhp_lv_api_fail(g, "virConnectOpen");
	return 0;
}

int mhp_lv_connect(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	struct mhp_strv before = MHP_STRV_INIT;
	int r = open_connection(g, &before);

	if (r == 0)
		sweep(g, &before);
	mhp_strv_release(&before);
	if (r < 0)
		return r;
	if (!(l->ev = mhp_lv_events_new(&l->ev_log))) {
		snprintf(g->error, sizeof(g->error), "cannot make a pipe: %s", strerror(errno));
		return -errno;
	}
	return mhp_lv_events_register(l->ev, l->conn) < 0 ? mhp_lv_api_fail(g, "event registration") : 0;
}
