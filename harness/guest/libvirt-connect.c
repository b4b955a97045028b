/* The libvirt backend's connection: the process's embed root (or the
 * user's URI), libvirt's event loop, what a killed mhp left swept away,
 * the events subscribed. */
#include "guest/libvirt-guest.h"

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

/* A domain of an mhp that is gone: in an embed root (one process each)
 * every one of mhp's; on a local daemon those whose PID is gone; never on
 * another host's (its PIDs are not ours to look at). */
static bool leftover(const struct mhp_lv_guest *l, const char *name)
{
	long pid = name_pid(name);

	if (pid <= 0 || pid == getpid())
		return false;
	if (!l->uri)
		return true;
	return !strstr(l->uri, "://") || strstr(l->uri, ":///") ? kill((pid_t)pid, 0) < 0 && errno == ESRCH : false;
}

/* Embed mode has no autodestroy: what a killed mhp left runs on. */
static void sweep(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(l->conn, &doms, 0);

	if (n < 0)
		mhp_log_error("cannot list libvirt's domains for leftovers: %s", virGetLastErrorMessage());
	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);

		if (name && leftover(l, name)) {
			bool ok = (virDomainIsActive(doms[i]) != 1 || virDomainDestroy(doms[i]) == 0) &&
				  (virDomainIsPersistent(doms[i]) != 1 || virDomainUndefine(doms[i]) == 0);
			if (ok)
				mhp_log_notice("destroyed libvirt domain %s, left running by an mhp that was killed", name);
			else
				mhp_log_error("cannot destroy libvirt domain %s that a killed mhp left: %s", name,
					      virGetLastErrorMessage());
		}
		virDomainFree(doms[i]);
	}
	free(doms);
}

static int open_connection(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	_cleanup_free_ char *embed = NULL;
	unsigned long version = 0;
	sigset_t old;
	int r;

	if (!l->uri && !(l->root = mhp_lv_process_root(g->error, sizeof(g->error))))
		return -EIO;
	if (!l->uri)
		embed = mhp_xasprintf("qemu:///embed?root=%s", l->root);
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
	if (virConnectGetVersion(l->conn, &version) == 0)
		snprintf(g->hypervisor_version, sizeof(g->hypervisor_version), "%lu.%lu.%lu", version / 1000000,
			 version / 1000 % 1000, version % 1000);
	return 0;
}

int mhp_lv_connect(struct mhp_guest *g)
{
	struct mhp_lv_guest *l = mhp_lv_of(g);
	int r;

	if ((r = open_connection(g)) < 0)
		return r;
	sweep(g);
	if (!(l->ev = mhp_lv_events_new(&l->ev_log))) {
		snprintf(g->error, sizeof(g->error), "cannot make a pipe: %s", strerror(errno));
		return -errno;
	}
	return mhp_lv_events_register(l->ev, l->conn) < 0 ? mhp_lv_api_fail(g, "event registration") : 0;
}
