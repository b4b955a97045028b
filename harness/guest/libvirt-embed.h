/* Where the libvirt backend's embedded QEMU driver lives: roots
 * <mhp cache>/libvirt/N, each with etc/qemu.conf for running as root
 * without a daemon (ARCHITECTURE.md, "libvirt and libguestfs").  libvirt
 * allows one process per embed root: a process holds the flock of N.lock
 * while it uses root N, and takes the first free one. */
#ifndef MHP_LIBVIRT_EMBED_H
#define MHP_LIBVIRT_EMBED_H

#include <stddef.h>

struct mhp_lv_root {
	char *path;
	int lock_fd;
};
#define MHP_LV_ROOT_INIT { NULL, -1 }
#define MHP_LV_ROOTS_MAX 64

/* Takes a free root (created with its qemu.conf).  0, or -errno with
 * what failed in err. */
int mhp_lv_root_take(struct mhp_lv_root *r, char *err, size_t size);
void mhp_lv_root_release(struct mhp_lv_root *r);
/* "qemu:///embed?root=PATH", a new string. */
char *mhp_lv_root_uri(const struct mhp_lv_root *r);
/* This process's root: taken on the first call, kept until the process
 * exits (libvirt binds a process's embedded driver to the first root it
 * opens, so the DSDT capture and the run of one worker share it).  NULL
 * with err said. */
const char *mhp_lv_process_root(char *err, size_t size);

/* The emulator libvirt starts for TCG: a link MHP_QEMU_TCG_WRAPPER to this
 * mhp binary, which runs QEMU with one TCG thread (guest/qemu.c says why;
 * libvirt 9.0 has no setting for it), in DIR/tcg-HASH, one directory per
 * QEMU binary (its path and identity), with the QEMU's absolute path in
 * MHP_QEMU_TCG_BINARY beside it: qemu, or qemu-system-x86_64 from PATH
 * when NULL.  A new string, or NULL with err said. */
#define MHP_QEMU_TCG_WRAPPER "mhp-qemu-tcg-single"
#define MHP_QEMU_TCG_BINARY "mhp-qemu-binary"
char *mhp_lv_tcg_emulator(const char *dir, const char *qemu, char *err, size_t size);

/* What the wrapper does when mhp runs under that name: execs the QEMU its
 * directory names (else qemu-system-x86_64) with "-accel tcg" made
 * "-accel tcg,thread=single" and, for a PC machine, "-machine i8042=off"
 * added.  Returns only on failure (the exit status). */
int mhp_qemu_tcg_wrapper_main(int argc, char **argv);
/* Its argv for QEMU binary qemu (a new array of borrowed strings,
 * NULL-terminated). */
char **mhp_qemu_tcg_argv(const char *qemu, int argc, char **argv);

#endif
