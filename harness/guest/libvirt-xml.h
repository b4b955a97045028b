/* libvirt domain XML for a topology, built with libxml2's tree API (no
 * string pasting): the machine the QEMU backend starts (guest/qemu.c), as
 * close as libvirt 9.0 can say it, and one device XML per memory device.
 * What libvirt cannot express is said in an XML comment inside the domain,
 * never dropped silently.  Pure: touches no file. */
#ifndef MHP_LIBVIRT_XML_H
#define MHP_LIBVIRT_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "model/topology.h"

struct mhp_libvirt_config {
	const char *accel;        /* "kvm": <domain type='kvm'>, else 'qemu' (TCG) */
	const char *kernel;       /* absolute paths (libvirt's schema wants them) */
	const char *initrd;
	const char *console_log;  /* ttyS0 goes here (appended) */
	const char *chan_socket;  /* ttyS1, the guest channel: QEMU listens (bind) */
	bool chan_connect;        /* ... or QEMU connects to the harness (mhp's backend) */
	const char *emulator;     /* <emulator>, NULL: libvirt's default */
	const char *name;         /* the domain's name, NULL: mhp_libvirt_domain_name */
	const char *extra_append; /* more kernel command line, may be NULL */
};

/* The domain's name: "mhp-" and the topology's name. */
void mhp_libvirt_domain_name(const struct mhp_topology *t, char *buf, size_t size);
/* The user alias of memory device i ("ua-" and its id), which
 * virsh detach-device-alias and update-memory-device name. */
void mhp_libvirt_alias(const struct mhp_dimm *d, char *buf, size_t size);

/* The boot domain XML into a new string *ret_xml: no DIMM (steps plug
 * them), every virtio-mem device (on QEMU's command line from the start).
 * 0, or -ENOMEM when libxml2 fails; *ret_xml untouched on failure. */
int mhp_libvirt_domain_xml(const struct mhp_libvirt_config *cfg, const struct mhp_topology *t, char **ret_xml);

/* The <memory> device XML of memory device index (a DIMM or a virtio-mem
 * device) as its own document, for virsh attach-device.  A DIMM gets
 * <address type='dimm'> with its slot when the topology pins slots (a
 * regenerated DSDT) and its base when it fixes the address.  0, -EINVAL
 * for an index out of range, -ENOMEM. */
int mhp_libvirt_device_xml(const struct mhp_topology *t, unsigned index, char **ret_xml);

#endif
