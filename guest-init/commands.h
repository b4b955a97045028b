/* The commands of the wire (guest-init/wire.h), looked up by verb. */
#ifndef MHP_GUEST_COMMANDS_H
#define MHP_GUEST_COMMANDS_H

#include "guest-init/state.h"

/* Splits line (modified) into words and runs the command they name; an
 * unknown verb, or a known one with the wrong number of arguments, is
 * answered with an error.  An empty line is not answered. */
void command_run(struct init_state *st, char *line);

#endif
