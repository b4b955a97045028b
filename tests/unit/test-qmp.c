/* QMP parser and client against recorded transcripts. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "guest/qmp.h"

/* Feeds text in pieces of at most `step` bytes; collects message kinds
 * ('G','E','R','X' for error reply, '!' for a parser error) into out. */
static void feed_in_steps(const char *text, size_t step, char *out, size_t outsize)
{
	struct mhp_qmp_parser p;
	size_t len = strlen(text), off = 0, n = 0;

	assert_int_equal(mhp_qmp_parser_init(&p), 0);
	while (off < len) {
		size_t chunk = len - off < step ? len - off : step, used = 0;

		while (used < chunk) {
			json_object *msg;
			int err;

			used += mhp_qmp_parser_feed(&p, text + off + used, chunk - used, &msg, &err);
			assert_false(msg && err);
			if (err)
				out[n++] = '!';
			if (msg) {
				static const char kinds[] = "?GERX";
				out[n++] = kinds[mhp_qmp_classify(msg)];
				json_object_put(msg);
			}
			assert_true(n < outsize);
		}
		off += chunk;
	}
	out[n] = '\0';
	mhp_qmp_parser_release(&p);
}

struct parse_row {
	const char *name;
	const char *text;
	const char *kinds;
};

static const struct parse_row parse_rows[] = {
	{ "greeting and reply",
	  "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}\r\n"
	  "{\"return\": {}, \"id\": \"mhp-1\"}\r\n",
	  "GR" },
	{ "event between command and reply",
	  "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"ACPI_DEVICE_OST\", \"data\": "
	  "{\"info\": {\"device\": \"dimm1\", \"source\": 3, \"status\": 132}}}\r\n"
	  "{\"return\": {}, \"id\": \"mhp-5\"}\r\n",
	  "ER" },
	{ "error reply", "{\"id\": \"mhp-2\", \"error\": {\"class\": \"GenericError\", \"desc\": \"no\"}}\n", "X" },
	{ "two messages without newline", "{\"return\": 1}{\"event\": \"SHUTDOWN\"}", "RE" },
	{ "string holding braces and newline escapes", "{\"return\": \"}{\\n\\\"\"}\n", "R" },
	{ "garbage line then a good message", "this is not json\n{\"return\": {}}\n", "!R" },
	{ "not an object", "[1, 2]\n{\"event\": \"STOP\"}\n", "!E" },
	{ "object of unknown kind", "{\"foo\": 1}\n", "?" },
	{ "truncated message yields nothing", "{\"return\": {\"a\": ", "" },
	{ "too deep", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n{\"return\": 2}\n",
	  "!R" },
};

static void test_parse_every_split(void **state)
{
	const struct parse_row *row = *state;
	char got[64];

	for (size_t step = 1; step <= strlen(row->text); step++) {
		feed_in_steps(row->text, step, got, sizeof(got));
		if (strcmp(got, row->kinds))
			fail_msg("split every %zu bytes: kinds '%s', want '%s'", step, got, row->kinds);
	}
}

static void test_parse_message_too_big(void **state)
{
	(void)state;
	size_t n = MHP_QMP_MAX_MESSAGE + 100;
	char *big = malloc(n + 64);
	struct mhp_qmp_parser p;
	json_object *msg;
	int err = 0;
	size_t used = 0;

	strcpy(big, "{\"return\": \"");
	memset(big + 12, 'a', n);
	strcpy(big + 12 + n, "\"}\n{\"return\": 7}\n");
	assert_int_equal(mhp_qmp_parser_init(&p), 0);
	size_t len = strlen(big);
	while (used < len && !err)
		used += mhp_qmp_parser_feed(&p, big + used, len - used, &msg, &err);
	assert_int_equal(err, -EMSGSIZE);
	/* Resynchronized at the next line: the following message parses. */
	msg = NULL;
	while (used < len && !msg)
		used += mhp_qmp_parser_feed(&p, big + used, len - used, &msg, &err);
	assert_non_null(msg);
	assert_int_equal(json_object_get_int(json_object_object_get(msg, "return")), 7);
	json_object_put(msg);
	mhp_qmp_parser_release(&p);
	free(big);
}

/* ---- client over a socketpair: the test plays QEMU ---- */

struct peer {
	struct mhp_qmp q;
	int qemu_fd;
};

static void peer_open(struct peer *p, const char *server_bytes)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(mhp_qmp_init(&p->q, sv[0], NULL), 0);
	p->qemu_fd = sv[1];
	assert_int_equal(write(sv[1], server_bytes, strlen(server_bytes)), (ssize_t)strlen(server_bytes));
}

static void peer_close(struct peer *p)
{
	mhp_qmp_release(&p->q);
	close(p->qemu_fd);
}

/* What the client sent, as text. */
static void peer_sent(struct peer *p, char *buf, size_t size)
{
	ssize_t n = read(p->qemu_fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
}

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}}, \"capabilities\": []}}\r\n"

static void test_client_handshake_and_execute(void **state)
{
	(void)state;
	struct peer p;
	json_object *ret = NULL, *ev = NULL;
	char sent[1024];

	peer_open(&p, GREETING "{\"return\": {}, \"id\": \"mhp-1\"}\r\n"
			       "{\"event\": \"ACPI_DEVICE_OST\", \"data\": {\"info\": {\"device\": \"d1\", \"status\": 132}}}\r\n"
			       "{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"d1\"}}\r\n"
			       "{\"return\": [], \"id\": \"mhp-2\"}\r\n");
	assert_int_equal(mhp_qmp_handshake(&p.q, mhp_deadline_in_ms(2000)), 0);
	assert_int_equal(mhp_qmp_execute_ref(&p.q, mhp_deadline_in_ms(2000), "query-memory-devices", NULL, &ret), 0);
	assert_true(json_object_is_type(ret, json_type_array));
	json_object_put(ret);
	peer_sent(&p, sent, sizeof(sent));
	assert_string_equal(sent, "{\"execute\":\"qmp_capabilities\",\"id\":\"mhp-1\"}\n"
				  "{\"execute\":\"query-memory-devices\",\"id\":\"mhp-2\"}\n");
	/* Both events arrived before the reply and were queued, in order. */
	assert_int_equal(p.q.nevents, 2);
	assert_int_equal(mhp_qmp_event_wait_ref(&p.q, mhp_deadline_in_ms(100), NULL, NULL, &ev), 0);
	assert_string_equal(mhp_qmp_event_name(ev), "ACPI_DEVICE_OST");
	assert_int_equal(mhp_json_path_int(ev, "data/info/status", 0), 132);
	json_object_put(ev);
	assert_int_equal(mhp_qmp_event_wait_ref(&p.q, mhp_deadline_in_ms(100), NULL, NULL, &ev), 0);
	assert_string_equal(mhp_json_path_string(ev, "data/device"), "d1");
	json_object_put(ev);
	assert_int_equal(mhp_qmp_event_wait_ref(&p.q, mhp_deadline_in_ms(50), NULL, NULL, &ev), -ETIMEDOUT);
	peer_close(&p);
}

static bool is_deleted(json_object *ev, void *ctx)
{
	(void)ctx;
	return !strcmp(mhp_qmp_event_name(ev), "DEVICE_DELETED");
}

static void test_client_event_match_keeps_others(void **state)
{
	(void)state;
	struct peer p;
	json_object *ev = NULL;

	peer_open(&p, "{\"event\": \"RESUME\"}\n{\"event\": \"DEVICE_DELETED\", \"data\": {\"device\": \"x\"}}\n"
		      "{\"event\": \"STOP\"}\n");
	assert_int_equal(mhp_qmp_event_wait_ref(&p.q, mhp_deadline_in_ms(1000), is_deleted, NULL, &ev), 0);
	assert_string_equal(mhp_json_path_string(ev, "data/device"), "x");
	json_object_put(ev);
	assert_int_equal(mhp_qmp_event_wait_ref(&p.q, mhp_deadline_in_ms(1000), NULL, NULL, &ev), 0);
	assert_string_equal(mhp_qmp_event_name(ev), "RESUME");
	json_object_put(ev);
	assert_int_equal(mhp_qmp_event_wait_ref(&p.q, mhp_deadline_in_ms(1000), NULL, NULL, &ev), 0);
	assert_string_equal(mhp_qmp_event_name(ev), "STOP");
	json_object_put(ev);
	peer_close(&p);
}

static void test_client_error_reply(void **state)
{
	(void)state;
	struct peer p;

	peer_open(&p, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Device 'nope' not found\"}, \"id\": \"mhp-1\"}\r\n");
	assert_int_equal(mhp_qmp_execute_ref(&p.q, mhp_deadline_in_ms(1000), "device_del", NULL, NULL), -EREMOTEIO);
	assert_string_equal(p.q.error, "GenericError: Device 'nope' not found");
	peer_close(&p);
}

static void test_client_wrong_id_is_protocol_error(void **state)
{
	(void)state;
	struct peer p;

	peer_open(&p, "{\"return\": {}, \"id\": \"mhp-9\"}\r\n");
	assert_int_equal(mhp_qmp_execute_ref(&p.q, mhp_deadline_in_ms(1000), "stop", NULL, NULL), -EPROTO);
	peer_close(&p);
}

/* A reply to a command whose wait ran out (an older id) comes late: it is
 * dropped, and the reply awaited now is taken. */
static void test_client_late_reply_dropped(void **state)
{
	(void)state;
	struct peer p;
	json_object *ret = NULL;

	peer_open(&p, "{\"return\": {\"late\": 1}, \"id\": \"mhp-0\"}\r\n{\"return\": {\"status\": \"running\"}, \"id\": \"mhp-1\"}\r\n");
	assert_int_equal(mhp_qmp_execute_ref(&p.q, mhp_deadline_in_ms(1000), "query-status", NULL, &ret), 0);
	assert_string_equal(mhp_json_path_string(ret, "status"), "running");
	json_object_put(ret);
	peer_close(&p);
}

static void test_client_truncated_then_closed(void **state)
{
	(void)state;
	struct peer p;

	peer_open(&p, GREETING "{\"return\": {}, \"id\": \"mh");
	shutdown(p.qemu_fd, SHUT_WR);
	assert_int_equal(mhp_qmp_handshake(&p.q, mhp_deadline_in_ms(1000)), -ECONNRESET);
	peer_close(&p);
}

static void test_client_silence_times_out(void **state)
{
	(void)state;
	struct peer p;
	uint64_t t0 = mhp_now_ns();

	peer_open(&p, GREETING);
	assert_int_equal(mhp_qmp_handshake(&p.q, mhp_deadline_in_ms(200)), -ETIMEDOUT);
	assert_true(mhp_now_ns() - t0 >= 150000000ull);
	peer_close(&p);
}

static void test_client_greeting_required(void **state)
{
	(void)state;
	struct peer p;

	peer_open(&p, "{\"return\": {}, \"id\": \"mhp-1\"}\r\n");
	assert_int_equal(mhp_qmp_handshake(&p.q, mhp_deadline_in_ms(1000)), -EPROTO);
	peer_close(&p);
}

int main(void)
{
	static struct test_list l;

	TEST_ROWS(&l, test_parse_every_split, parse_rows);
	TEST_ONE(&l, test_parse_message_too_big);
	TEST_ONE(&l, test_client_handshake_and_execute);
	TEST_ONE(&l, test_client_event_match_keeps_others);
	TEST_ONE(&l, test_client_error_reply);
	TEST_ONE(&l, test_client_wrong_id_is_protocol_error);
	TEST_ONE(&l, test_client_late_reply_dropped);
	TEST_ONE(&l, test_client_truncated_then_closed);
	TEST_ONE(&l, test_client_silence_times_out);
	TEST_ONE(&l, test_client_greeting_required);
	return TEST_RUN("qmp", &l);
}
