/* The libvirt backend's own state, shared by libvirt-guest.c (start,
 * power off, teardown, explanations) and libvirt-devices.c (memory
 * devices through libvirt's API).  Nothing outside guest/ includes this. */
#ifndef MHP_LIBVIRT_GUEST_H
#define MHP_LIBVIRT_GUEST_H

#include <libvirt/libvirt.h>
#include <signal.h>
#include <libvirt/virterror.h>

#include "guest/backend.h"
#include "guest/libvirt-embed.h"
#include "guest/libvirt-events.h"
#include "lib/rundir.h"

struct mhp_lv_guest {
	char *uri;                 /* the caller's, or NULL: an embed root */
	const char *root;          /* this process's embed root, NULL with a URI */
	struct mhp_rundir rundir;  /* private: the channel socket, the initrd */
	char *chan_path, *initrd_path;
	char name[128];            /* the domain's: mhp-pidPID-TOPOLOGY */
	virConnectPtr conn;
	virDomainPtr dom;
	struct mhp_lv_events *ev;
	struct mhp_transcript ev_log; /* libvirt.log: API calls and events */
	char stopped[32];          /* libvirt's detail once the domain stopped, else "" */
	char api_error[256];       /* libvirt's message for the last failed call */
};

static inline struct mhp_lv_guest *mhp_lv_of(struct mhp_guest *g)
{
	return g->impl;
}

/* Says in g->error why waiting for awaited ended with r; returns r. */
int mhp_lv_fail(struct mhp_guest *g, int r, const char *awaited);
/* A libvirt call that failed: its message into g->error; -EREMOTEIO. */
int mhp_lv_api_fail(struct mhp_guest *g, const char *call);
/* Runs QMP command (no arguments) through libvirt's monitor pass-through:
 * its whole reply into *ret_reply.  -errno with g->error said. */
int mhp_lv_monitor(struct mhp_guest *g, const char *command, json_object **ret_reply);
/* Logs an API call into libvirt.log. */
void mhp_lv_log(struct mhp_guest *g, const char *fmt, ...) MHP_FORMAT(2, 3);

/* libvirt-connect.c: the domain's name for topology name in this process;
 * the connection (the process's embed root, libvirt's event loop, what a
 * killed mhp left swept away, the events subscribed). */
void mhp_lv_domain_name(const char *topology, char *buf, size_t size);
int mhp_lv_connect(struct mhp_guest *g);
/* Runs with SIGINT and SIGTERM blocked a libvirt call that may start
 * threads (they inherit the mask: the signals stay the main thread's). */
void mhp_lv_signals_block(sigset_t *old);
void mhp_lv_signals_restore(const sigset_t *old);

/* libvirt-devices.c: the memory device ops. */
int mhp_lv_plug(struct mhp_guest *g, unsigned index, struct mhp_plugged *ret);
int mhp_lv_unplug(struct mhp_guest *g, unsigned index, unsigned nblocks, enum mhp_unplug_outcome *ret,
		  char *reason, size_t size);
int mhp_lv_device(struct mhp_guest *g, const char *id, char *view, size_t size, uint64_t *ret_addr);
int mhp_lv_resize(struct mhp_guest *g, unsigned index, uint64_t size, int nblocks, struct mhp_resized *ret);
int mhp_lv_boot_plugged(struct mhp_guest *g, unsigned index, unsigned first_id, unsigned end_id, unsigned nblocks,
			struct mhp_resized *ret);

#endif
