/* All that the guest init keeps between commands, in one place: main() owns
 * the only instance and hands it to every command. */
#ifndef MHP_GUEST_STATE_H
#define MHP_GUEST_STATE_H

#include "guest-init/channel.h"
#include "guest-init/data.h"
#include "guest-init/report.h"
#include "guest-init/uevent.h"

struct init_state {
	struct channel chan;
	struct uevents uevents;
	struct fill_data data;
	unsigned report_ids[REPORT_MAX_IDS];    /* scratch for report() */
};
#define INIT_STATE_INIT { .chan = CHANNEL_INIT, .uevents = { .fd = -1 } }

#endif
