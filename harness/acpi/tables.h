/* The ACPI tables a run installs: built from the topology into
 * results/<run>/acpi/, compiled with iasl, carried by the initrd, and
 * confirmed from the kernel's console afterwards. */
#ifndef MHP_TABLES_H
#define MHP_TABLES_H

#include "guest/initrd.h"
#include "guest/vm.h"

struct mhp_tables {
	struct mhp_initrd_table initrd[2];
	char *paths[2]; /* owned .aml paths */
	size_t n;
};
#define MHP_TABLES_INIT { { { NULL, NULL }, { NULL, NULL } }, { NULL, NULL }, 0 }

/* Builds the SRAT and, when a DIMM asks for its own _PXM, the DSDT (QEMU's,
 * fetched by a capture boot of the same machine, then patched).  Returns 0,
 * or -1 with the run's error set (iasl missing, failing or crashing, a
 * capture boot that failed). */
int mhp_tables_build(struct mhp_vm *vm, const char *results_dir, struct mhp_tables *out);
void mhp_tables_release(struct mhp_tables *t);
/* Checks the console for the kernel's "Table Upgrade: override" line of
 * every table built; a missing one is a failed check and ends the run. */
int mhp_tables_check_taken(struct mhp_vm *vm, const char *results_dir);

#endif
