/* ACPI tables from the topology, as iasl source.  The SRAT replaces QEMU's
 * through the initrd (CONFIG_ACPI_TABLE_UPGRADE): same signature, OEM ID
 * "BOCHS ", OEM table ID "BXPC    " and an OEM revision above QEMU's 1; the
 * kernel silently ignores a table that differs in any of these. */
#ifndef MHP_ACPI_H
#define MHP_ACPI_H

#include "model/topology.h"

#define MHP_ACPI_OEM_ID "BOCHS "
#define MHP_ACPI_OEM_TABLE_ID "BXPC    "
#define MHP_ACPI_OEM_REVISION 2

/* Writes the SRAT of t as iasl data-table source into a new string:
 * processor affinity for every CPU (APIC id = CPU index, in node order),
 * memory affinity for each node's boot range (node 0 split around the
 * legacy hole at 640K-1M, as QEMU does), flagged hot-pluggable where the
 * node says so, and QEMU's hotplug window on the last node's domain. */
char *mhp_acpi_srat_source(const struct mhp_topology *t, unsigned oem_revision);

/* The console line by which the kernel confirms it took our table. */
void mhp_acpi_upgrade_line(const char *signature, char *buf, size_t size);

#endif
