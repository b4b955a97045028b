/* The ways the guest ends: power-off, and the sysrq test knob ("c" panics). */
#ifndef MHP_GUEST_HALT_H
#define MHP_GUEST_HALT_H

__attribute__((noreturn)) void power_off(void);

/* Writes key, one character, to /proc/sysrq-trigger.  0 or -errno. */
int sysrq(const char *key);

#endif
