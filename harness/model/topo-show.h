/* `mhp topo show`: a topology's memory map in words, for people. */
#ifndef MHP_TOPO_SHOW_H
#define MHP_TOPO_SHOW_H

#include <stdio.h>

#include "model/topology.h"

/* Writes the map: boot ranges per node with their block ids and SRAT flags,
 * QEMU's hotplug window, nodes, slots, DIMMs (and the kernel node each one
 * lands on), and the kernel command line. */
void mhp_topo_show(FILE *f, const struct mhp_topology *t);

#endif
