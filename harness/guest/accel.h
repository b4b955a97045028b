/* Choosing the accelerator.  Nested KVM can hang a guest silently right after
 * the BIOS, so "auto" boots the kernel once under KVM with a short deadline
 * and falls back to TCG when that boot does not come back; the verdict is
 * cached per QEMU binary and host kernel. */
#ifndef MHP_ACCEL_H
#define MHP_ACCEL_H

#include <stddef.h>

struct mhp_accel_probe {
	const char *qemu;       /* NULL for qemu-system-x86_64 */
	const char *kernel;
	const char *guest_init;
	const char *cache_dir;  /* NULL: $XDG_CACHE_HOME/mhp or ~/.cache/mhp */
	const char *kvm_device; /* NULL: /dev/kvm (tests point it elsewhere) */
	unsigned timeout_ms;
};

/* Resolves requested ("auto", "kvm" or "tcg") into "kvm" or "tcg" (static
 * strings).  ret_reason gets a short explanation.  -EINVAL for an unknown
 * name. */
int mhp_accel_resolve(const char *requested, const struct mhp_accel_probe *p, const char **ret_accel,
		      char *ret_reason, size_t size);

#endif
