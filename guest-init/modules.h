/* Kernel modules the harness packed into the initrd (/modules/order names
 * their files in load order): loaded before the hello, which lists them. */
#ifndef GUEST_MODULES_H
#define GUEST_MODULES_H

#include "guest-init/channel.h"

/* Loads every module of /modules/order with finit_module (a compressed
 * file as such, for a kernel with CONFIG_MODULE_DECOMPRESS); one that is
 * there already is fine, any other failure is fatal naming the file. */
void modules_load(const struct channel *ch);

/* The names loaded, "a,b,c", or "-". */
const char *modules_loaded(void);

#endif
