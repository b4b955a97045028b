/* Onlining and offlining memory blocks through their sysfs state file. */
#ifndef MHP_GUEST_ONLINE_H
#define MHP_GUEST_ONLINE_H

#include "guest-init/channel.h"

/* online ID TYPE: type is one of mhp_wire_online_types. */
void block_online(const struct channel *ch, unsigned id, const char *type);

/* offline ID MS: ETIMEDOUT when the kernel still retried after ms. */
void block_offline(const struct channel *ch, unsigned id, int ms);

#endif
