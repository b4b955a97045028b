/* The ACPI tables a run installs: built from the topology into
 * results/<run>/acpi/, compiled with iasl, and carried by the initrd.  The
 * DSDT is QEMU's own, captured beforehand by the engine (run/capture.c) and
 * edited here: this layer boots nothing. */
#ifndef MHP_TABLES_H
#define MHP_TABLES_H

#include <stddef.h>

#include "model/topology.h"

/* The tables built: names[i] ("srat.aml") is where the initrd puts the
 * file paths[i] under kernel/firmware/acpi/. */
struct mhp_tables {
	const char *names[2];
	char *paths[2]; /* owned .aml paths */
	size_t n;
};
#define MHP_TABLES_INIT { { NULL, NULL }, { NULL, NULL }, 0 }

/* Builds the SRAT and, when a DIMM asks for its own _PXM, the DSDT from
 * qemu_dsdt (QEMU's DSDT as .aml; NULL when t needs none) into
 * results_dir/acpi/.  Returns 0, or -errno with the reason in err (iasl
 * missing, failing or crashing, a DSDT that cannot be edited). */
int mhp_tables_build(const struct mhp_topology *t, const char *results_dir, const char *qemu_dsdt,
		     struct mhp_tables *out, char *err, size_t errsize);
void mhp_tables_release(struct mhp_tables *t);

#endif
