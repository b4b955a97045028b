/* Kernel modules the guest init loads before it says hello: resolved on
 * the host with libkmod (kmod's library: modules.dep, aliases, built-in
 * lists) for the guest kernel's release, packed into the initrd, loaded in
 * order with finit_module.  Debian's kernels build virtio_mem (and on 6.1
 * virtio_pci) as modules; a kernel built by mhp has them built in, and then
 * there is nothing to pack. */
#ifndef MHP_MODULES_H
#define MHP_MODULES_H

#include <stddef.h>

#include "lib/util.h"

struct mhp_guest_modules {
	struct mhp_strv names; /* as the kernel names them ("virtio_mem"), in load order */
	struct mhp_strv paths; /* their files on the host (.ko, or .ko.xz/.zst/.gz) */
};
#define MHP_GUEST_MODULES_INIT { MHP_STRV_INIT, MHP_STRV_INIT }

void mhp_guest_modules_release(struct mhp_guest_modules *m);

/* The module directory of the kernel image: root/<release> (root NULL:
 * /lib/modules), the release read from the bzImage's version string.  On
 * failure -errno and why in err. */
int mhp_modules_dir(const char *kernel, const char *root, char **ret_dir, char *err, size_t errsize);

/* Resolves n module names or aliases in moddir: every module after those
 * it depends on, each once; a built-in one (modules.builtin) needs no file
 * and is left out.  -ENOENT with "no module 'NAME' for release R (in DIR)"
 * in err when a name is neither. */
int mhp_modules_resolve(const char *moddir, const char *const *names, size_t n, struct mhp_guest_modules *out,
			char *err, size_t errsize);

/* The modules a virtio-mem device needs: the PCI transport and the driver. */
extern const char *const mhp_virtio_mem_modules[2];

#endif
