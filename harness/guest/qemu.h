/* The QEMU command line for a topology. */
#ifndef MHP_QEMU_H
#define MHP_QEMU_H

#include "lib/process.h"
#include "model/topology.h"

struct mhp_qemu_config {
	const char *binary;      /* qemu-system-x86_64 unless set */
	const char *accel;       /* "tcg" or "kvm" */
	const char *kernel;
	const char *initrd;
	const char *console_log; /* ttyS0 goes here */
	const char *qmp_socket;  /* QEMU connects, the harness listens */
	const char *chan_socket; /* ttyS1, the guest channel */
	const char *extra_append; /* more kernel command line, may be NULL */
	bool probe;              /* KVM probe: no sockets, guest powers off at once */
	bool incoming;           /* wait for a migration stream (a boot snapshot) */
	bool runtime_knobs;      /* leave the knobs the guest can set (mhp_wire_knobs) off */
	bool shape;              /* for a snapshot key: the run's own name left out */
};

/* Builds the full argv (argv[0] is the binary).  Pure: touches no file. */
void mhp_qemu_build_argv(const struct mhp_qemu_config *cfg, const struct mhp_topology *s,
			 struct mhp_strv *argv);

/* The kernel command line the guest gets. */
char *mhp_qemu_cmdline(const struct mhp_qemu_config *cfg, const struct mhp_topology *s);

/* The first line of `binary --version` (NULL: qemu-system-x86_64), a new
 * string, or NULL when it does not run: what caches keyed by the QEMU
 * build use. */
char *mhp_qemu_version_line(const char *binary);

/* The QEMU binary to run, absolute: qemu made so, or qemu-system-x86_64
 * found on PATH.  A new string, or NULL (errno). */
char *mhp_qemu_resolve(const char *qemu);

/* A hash of what makes the binary at abs what it is (path, inode, size,
 * times) into *ret: 0, or -errno when it cannot be stat()ed. */
int mhp_qemu_identity(const char *abs, uint64_t *ret);

/* QOM ids of a DIMM's device and its memory backend. */
void mhp_qemu_backend_id(const struct mhp_dimm *d, char *buf, size_t size);

#endif
