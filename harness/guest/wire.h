/* Host side of the guest channel's wire format (guest-init/wire.h): a parser
 * for one line.  The line splitter that is fed bytes, struct
 * mhp_line_splitter, is shared with the guest in guest-init/lines.h. */
#ifndef MHP_HARNESS_WIRE_H
#define MHP_HARNESS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest-init/lines.h"
#include "guest-init/wire.h"

/* One parsed line.  Owns a copy of the line; verb/key/val point into it. */
struct mhp_wire_msg {
	char *line;
	const char *verb;
	size_t nfields;
	const char *key[MHP_WIRE_MAX_FIELDS];
	const char *val[MHP_WIRE_MAX_FIELDS];
};
#define MHP_WIRE_MSG_INIT { 0 }

/* Parses text (no newline) into m.  Returns 0, or -EINVAL for an empty line,
 * a field without '=', an empty key, or more than MHP_WIRE_MAX_FIELDS. */
int mhp_wire_msg_parse(struct mhp_wire_msg *m, const char *text);
void mhp_wire_msg_release(struct mhp_wire_msg *m);
/* The value of key, or NULL. */
const char *mhp_wire_get(const struct mhp_wire_msg *m, const char *key);
/* Parses key's value as an unsigned number (decimal or 0x hex). */
int mhp_wire_get_u64(const struct mhp_wire_msg *m, const char *key, unsigned long long *ret);

/* What the guest says of its kernel: at boot ("hello ...") and when asked
 * again ("ok ..." to the hello command). */
struct mhp_guest_hello {
	char release[128];        /* uname -r */
	uint64_t block_size;
	char auto_online[32];     /* auto_online_blocks */
	bool memmap_on_memory;    /* the kernel has the parameter and it is on */
	unsigned pageblock_order; /* from /proc/pagetypeinfo, 0 if unknown */
	char modules[512];        /* modules init loaded from the initrd, "a,b"; "" none */
};

/* The hello fields of m (whatever its verb) into h: -EPROTO when m is no
 * hello of this protocol. */
int mhp_guest_hello_parse(const struct mhp_wire_msg *m, struct mhp_guest_hello *h);

#endif
