#include "guest-init/commands.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest-init/acpi.h"
#include "guest-init/data.h"
#include "guest-init/halt.h"
#include "guest-init/online.h"
#include "guest-init/pin.h"
#include "guest-init/report.h"
#include "guest-init/sysfs.h"
#include "guest-init/uevent.h"

/* More words than any command takes: a longer line matches none. */
#define MAX_WORDS 8

struct command {
	const char *verb;
	int words;      /* with the verb */
	void (*run)(struct init_state *st, char *const argv[]);
};

/* A number as the harness writes it: decimal, or hex with 0x. */
static unsigned long long num(const char *s)
{
	return strtoull(s, NULL, 0);
}

static void run_report(struct init_state *st, char *const argv[])
{
	(void)argv;
	report(&st->chan, st->report_ids);
}

static void run_await_add(struct init_state *st, char *const argv[])
{
	uevent_await(&st->uevents, &st->chan, UEVENT_ADD, (unsigned)atoi(argv[1]), atoi(argv[2]));
}

static void run_await_remove(struct init_state *st, char *const argv[])
{
	uevent_await(&st->uevents, &st->chan, UEVENT_REMOVE, (unsigned)atoi(argv[1]), atoi(argv[2]));
}

static void run_await_online(struct init_state *st, char *const argv[])
{
	uevent_await(&st->uevents, &st->chan, UEVENT_ONLINE, (unsigned)atoi(argv[1]), atoi(argv[2]));
}

static void run_await_online_in(struct init_state *st, char *const argv[])
{
	uevent_await_online_in(&st->uevents, &st->chan, (unsigned)atoi(argv[1]), (unsigned)atoi(argv[2]),
			       (unsigned)atoi(argv[3]), atoi(argv[4]));
}

static void run_online(struct init_state *st, char *const argv[])
{
	block_online(&st->chan, (unsigned)atoi(argv[1]), argv[2]);
}

static void run_offline(struct init_state *st, char *const argv[])
{
	block_offline(&st->chan, (unsigned)atoi(argv[1]), atoi(argv[2]));
}

static void run_fill(struct init_state *st, char *const argv[])
{
	data_fill(&st->chan, &st->data, (unsigned)atoi(argv[1]), num(argv[2]), num(argv[3]), num(argv[4]),
		  num(argv[5]));
}

static void run_verify(struct init_state *st, char *const argv[])
{
	data_verify(&st->chan, &st->data, num(argv[1]), num(argv[2]));
}

static void run_corrupt(struct init_state *st, char *const argv[])
{
	(void)argv;
	data_corrupt(&st->chan, &st->data);
}

static void run_pin(struct init_state *st, char *const argv[])
{
	pin_slab(&st->chan, (unsigned)atoi(argv[1]), num(argv[2]));
}

static void run_sysrq(struct init_state *st, char *const argv[])
{
	int r = sysrq(argv[1]);

	if (r < 0)
		say(&st->chan, "error what=sysrq errno=%d", -r);
	else
		say(&st->chan, "ok");
}

static void run_acpi_table(struct init_state *st, char *const argv[])
{
	acpi_table_dump(&st->chan, argv[1]);
}

static void run_poweroff(struct init_state *st, char *const argv[])
{
	(void)argv;
	say(&st->chan, "ok");
	power_off();
}

static void run_hello(struct init_state *st, char *const argv[])
{
	(void)argv;
	say_hello(&st->chan, "ok");
}

static void run_knob(struct init_state *st, char *const argv[])
{
	const struct mhp_wire_knob *k = mhp_wire_knob_of(argv[1]);
	int r = k && !strchr(argv[1], '=') ? write_text(k->path, argv[2]) : -EINVAL;

	if (r < 0)
		say(&st->chan, "error what=knob errno=%d", -r);
	else
		say(&st->chan, "ok");
}

static const struct command commands[] = {
	{ "report", 1, run_report },
	{ "await-add", 3, run_await_add },
	{ "await-remove", 3, run_await_remove },
	{ "await-online", 3, run_await_online },
	{ "await-online-in", 5, run_await_online_in },
	{ "online", 3, run_online },
	{ "offline", 3, run_offline },
	{ "fill", 6, run_fill },
	{ "verify", 3, run_verify },
	{ "pin", 3, run_pin },
	{ "sysrq", 2, run_sysrq },
	{ "corrupt", 1, run_corrupt },
	{ "acpi-table", 2, run_acpi_table },
	{ "poweroff", 1, run_poweroff },
	{ "hello", 1, run_hello },
	{ "knob", 3, run_knob },
};

void command_run(struct init_state *st, char *line)
{
	char *argv[MAX_WORDS] = { 0 }, *save = NULL;
	int argc = 0;

	for (char *tok = strtok_r(line, " ", &save); tok && argc < MAX_WORDS; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(commands[i].verb, argv[0]) && commands[i].words == argc) {
			commands[i].run(st, argv);
			return;
		}
	}
	say(&st->chan, "error what=unknown-command errno=%d", EINVAL);
}
