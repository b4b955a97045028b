/* What every backend shares: the guest channel to mhp's guest init (ttyS1
 * on a unix socket: hello, commands, the report, ACPI tables, waits for
 * uevents) and the console scan for an oops.  The backend only connects
 * the socket and explains failures (ops->explain). */
#include "guest/backend.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/cleanup.h"

mhp_deadline_t mhp_guest_deadline(const struct mhp_guest *g)
{
	return mhp_deadline_in_ms(g->m->timeout_ms);
}

void mhp_guest_init_backend(struct mhp_guest *g, const struct mhp_backend_choice *b)
{
	if (b && b->libvirt)
		mhp_libvirt_guest_init(g, b->uri);
	else
		mhp_qemu_guest_init(g);
}

void mhp_guest_say(struct mhp_guest *g, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(g->error, sizeof(g->error), fmt, ap);
	va_end(ap);
}

int mhp_guest_make_rundir(struct mhp_guest *g, struct mhp_rundir *d, char **ret_chan, char **ret_initrd)
{
	int r;

	if ((r = mhp_rundir_make(d, "mhp-run")) < 0)
		return mhp_guest_fail(g, r, "a private run directory in the temporary directory");
	*ret_chan = mhp_rundir_socket_path(d, "channel.sock");
	*ret_initrd = mhp_xasprintf("%s/initrd.cpio", d->path);
	r = mhp_initrd_write(*ret_initrd, g->m->guest_init, g->m->tables, g->m->ntables, g->m->modules);
	if (r < 0)
		mhp_guest_say(g, "cannot build the initrd from '%s': %s", g->m->guest_init, strerror(-r));
	return r;
}

int mhp_guest_fail(struct mhp_guest *g, int r, const char *awaited)
{
	return g->ops->explain(g, r, awaited);
}

int mhp_guest_link_open_log(struct mhp_guest *g)
{
	_cleanup_free_ char *path = mhp_xasprintf("%s/channel.log", g->m->log_dir);

	g->ch.fd = -1;
	return mhp_transcript_open(&g->chan_log, path, g->m->epoch_ns);
}

void mhp_guest_link_attach(struct mhp_guest *g, int fd)
{
	mhp_channel_init(&g->ch, fd, &g->chan_log);
}

void mhp_guest_link_close(struct mhp_guest *g)
{
	mhp_channel_release(&g->ch);
	mhp_transcript_close(&g->chan_log);
}

static int read_hello(struct mhp_guest *g, const struct mhp_wire_msg *m)
{
	unsigned long long err = 0;

	/* What init could not do before its hello (mount, a module, the channel). */
	if (!strcmp(m->verb, "fatal") && mhp_wire_get(m, "what") && mhp_wire_get_u64(m, "errno", &err) == 0) {
		snprintf(g->error, sizeof(g->error), "guest init failed before its hello: %s: %s",
			 mhp_wire_get(m, "what"), strerror((int)err));
		return -EPROTO;
	}
	if (strcmp(m->verb, "hello") || mhp_guest_hello_parse(m, &g->hello) < 0) {
		snprintf(g->error, sizeof(g->error), "guest sent '%s' instead of a protocol %d hello", m->verb,
			 MHP_WIRE_PROTO);
		return -EPROTO;
	}
	return 0;
}

int mhp_guest_link_hello(struct mhp_guest *g)
{
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	int r = mhp_channel_recv(&g->ch, mhp_deadline_in_ms(g->m->boot_timeout_ms), &m);

	if (r < 0)
		return mhp_guest_fail(g, r, "the guest's hello (see console.log)");
	r = read_hello(g, &m);
	mhp_wire_msg_release(&m);
	return r;
}

int mhp_guest_link_command(struct mhp_guest *g, const char *cmd, struct mhp_wire_msg *ret_ok)
{
	int r;

	g->ch.error[0] = g->refusal[0] = '\0';
	r = mhp_channel_command(&g->ch, mhp_guest_deadline(g), cmd, ret_ok);
	snprintf(g->refusal, sizeof(g->refusal), "%s", g->ch.error);
	return r;
}

int mhp_guest_link_command_op(struct mhp_guest *g, const char *cmd, struct mhp_wire_msg *ret_ok,
			      const char *awaited)
{
	int r = mhp_guest_link_command(g, cmd, ret_ok);

	if (r == -EREMOTEIO && g->refusal[0]) /* an answer: the hypervisor is fine */
		snprintf(g->error, sizeof(g->error), "guest answered '%s' to %s", g->refusal, awaited ? awaited : cmd);
	else if (r < 0)
		mhp_guest_fail(g, r, awaited ? awaited : cmd);
	return r;
}

int mhp_guest_link_report(struct mhp_guest *g, struct mhp_guest_report *rep)
{
	int r = mhp_channel_report(&g->ch, mhp_guest_deadline(g), rep);

	return r < 0 ? mhp_guest_fail(g, r, "the guest's report") : 0;
}

static int unhex(const char *hex, unsigned char *out, size_t max, size_t *len)
{
	size_t n = strlen(hex);

	if (n % 2 || *len + n / 2 > max)
		return -EPROTO;
	for (size_t i = 0; i < n; i += 2) {
		unsigned v;
		if (sscanf(hex + i, "%2x", &v) != 1)
			return -EPROTO;
		out[(*len)++] = (unsigned char)v;
	}
	return 0;
}

int mhp_guest_link_acpi_table(struct mhp_guest *g, const char *sig, unsigned char **ret_data, size_t *ret_len)
{
	_cleanup_free_ char *cmd = mhp_xasprintf("acpi-table %s", sig);
	_cleanup_free_ unsigned char *data = mhp_xcalloc(1u << 20, 1);
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	unsigned long long want = 0;
	size_t len = 0;
	int r = mhp_channel_send(&g->ch, mhp_guest_deadline(g), cmd);

	while (r == 0 && (r = mhp_channel_recv(&g->ch, mhp_guest_deadline(g), &m)) == 0) {
		if (!strcmp(m.verb, "acpi-data") && mhp_wire_get(&m, "hex"))
			r = unhex(mhp_wire_get(&m, "hex"), data, 1u << 20, &len);
		else if (!strcmp(m.verb, "ok") && mhp_wire_get_u64(&m, "bytes", &want) == 0)
			break;
		else
			r = -EPROTO;
	}
	mhp_wire_msg_release(&m);
	if (r == 0 && want != len)
		r = -EPROTO;
	if (r < 0)
		return mhp_guest_fail(g, r, cmd);
	*ret_data = TAKE_PTR(data);
	*ret_len = len;
	return 0;
}

/* "32,33" of an await answer into a new array. */
static unsigned parse_ids(const char *list, unsigned **ret)
{
	unsigned n = 0, *ids = mhp_xcalloc(strlen(list) / 2 + 1, sizeof(*ids));

	for (const char *p = list; *p && *p != '-';) {
		char *end;
		ids[n++] = (unsigned)strtoul(p, &end, 10);
		p = *end == ',' ? end + 1 : end + strlen(end);
	}
	*ret = ids;
	return n;
}

int mhp_guest_await_blocks(struct mhp_guest *g, const char *verb, unsigned n, unsigned **ret_ids, unsigned *ret_n,
			   const char *awaited)
{
	struct mhp_wire_msg ok = MHP_WIRE_MSG_INIT;
	char cmd[96];
	int r;

	snprintf(cmd, sizeof(cmd), "%s %u %u", verb, n, g->m->timeout_ms);
	if ((r = mhp_guest_link_command(g, cmd, &ok)) < 0)
		return mhp_guest_fail(g, r, awaited);
	if (ret_ids)
		*ret_n = parse_ids(mhp_wire_get(&ok, "ids") ? mhp_wire_get(&ok, "ids") : "-", ret_ids);
	mhp_wire_msg_release(&ok);
	return 0;
}

int mhp_guest_hello_again(struct mhp_guest *g, const char *awaited)
{
	struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
	int r = mhp_guest_command(g, "hello", &m, awaited);

	if (r == 0 && (r = mhp_guest_hello_parse(&m, &g->hello)) < 0)
		snprintf(g->error, sizeof(g->error), "the guest answered hello with '%s'", m.verb);
	mhp_wire_msg_release(&m);
	return r;
}

void mhp_plugged_release(struct mhp_plugged *p)
{
	free(p->ids);
	*p = (struct mhp_plugged){ 0 };
}
