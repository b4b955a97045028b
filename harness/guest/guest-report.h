/* A guest report read from the wire: "block", "node", "memmap" and "zone"
 * lines, then "end", into the observed state of model/observed.h. */
#ifndef MHP_GUEST_REPORT_H
#define MHP_GUEST_REPORT_H

#include "guest/wire.h"
#include "model/observed.h"

/* Adds one message of a report.  Returns 1 when m was "end", 0 for a block,
 * node or memmap line, -EINVAL for a malformed or unexpected line (the report is left
 * as it was). */
int mhp_guest_report_add(struct mhp_guest_report *r, const struct mhp_wire_msg *m);

#endif
