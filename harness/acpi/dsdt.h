/* Regenerating QEMU's DSDT: the memory slots (\_SB.MHPC.MPnn, PNP0C80) get
 * a constant _PXM where the topology asks, so a DIMM can report a proximity
 * domain other than its QEMU node.  An SSDT cannot do this: it may not
 * redefine the DSDT's objects (AE_ALREADY_EXISTS). */
#ifndef MHP_DSDT_H
#define MHP_DSDT_H

#include <stddef.h>

/* Rewrites the disassembled DSDT dsl: slot i's _PXM returns slot_pxm[i]
 * where that is >= 0, and the DefinitionBlock's OEM revision becomes rev.
 * Returns the new text, or NULL with err set when a slot's device or its
 * _PXM method is not where QEMU puts them. */
char *mhp_dsdt_patch(const char *dsl, const int *slot_pxm, unsigned nslots, unsigned rev, char *err, size_t errsize);

#endif
