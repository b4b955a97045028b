/* QEMU's own DSDT for a machine, which a topology with a DIMM "pxm" edits:
 * read from the guest of a capture boot (the same machine, no tables of
 * ours), and cached by the QEMU version and command line, so a suite boots
 * for it once per machine shape, not once per run. */
#ifndef MHP_CAPTURE_H
#define MHP_CAPTURE_H

#include <stddef.h>

#include "guest/backend.h"

/* Puts QEMU's DSDT for m's machine, as backend b starts it, into
 * dir/qemu-dsdt.aml (from the cache, or by a capture boot with its logs in
 * dir/capture/).  Returns 0, or -errno with the reason in err. */
int mhp_capture_dsdt(const struct mhp_machine *m, const struct mhp_backend_choice *b, const char *dir, char *err,
		     size_t errsize);

#endif
