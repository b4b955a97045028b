/* The report command: every memory block, node, firmware memmap range and
 * zone, as block/node/memmap/zone lines, then "end". */
#ifndef MHP_GUEST_REPORT_H
#define MHP_GUEST_REPORT_H

#include "guest-init/channel.h"

/* How many memory blocks and nodes a report lists at the most. */
#define REPORT_MAX_IDS 65536

/* ids is scratch space for REPORT_MAX_IDS ids (too large for the stack of
 * every call). */
void report(const struct channel *ch, unsigned *ids);

/* The kernel's facts the harness needs first (release, block size, node
 * list, auto_online_blocks, memmap_on_memory, pageblock order) as a
 * "VERB proto=..." line: "hello" at boot, "ok" when asked again. */
void say_hello(const struct channel *ch, const char *verb);

#endif
