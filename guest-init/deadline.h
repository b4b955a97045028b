/* Deadlines on the monotonic clock, in milliseconds: every wait has one. */
#ifndef MHP_GUEST_DEADLINE_H
#define MHP_GUEST_DEADLINE_H

#include <stdint.h>

/* The deadline ms milliseconds from now. */
int64_t deadline_in(int ms);

/* Milliseconds until deadline, 0 once it passed, at most INT_MAX: a poll()
 * timeout. */
int deadline_left(int64_t deadline);

#endif
