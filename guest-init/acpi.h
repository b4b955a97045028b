/* Dumping the firmware's ACPI tables, for the harness to disassemble and
 * regenerate. */
#ifndef MHP_GUEST_ACPI_H
#define MHP_GUEST_ACPI_H

#include "guest-init/channel.h"

/* acpi-table SIG: /sys/firmware/acpi/tables/SIG as "acpi-data hex=..."
 * lines of 1 KiB each, then "ok bytes=N". */
void acpi_table_dump(const struct channel *ch, const char *sig);

#endif
