#include "guest/libvirt-xml.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "guest/qemu.h"
#include "lib/cleanup.h"

void mhp_libvirt_domain_name(const struct mhp_topology *t, char *buf, size_t size)
{
	snprintf(buf, size, "mhp-%s", t->name ? t->name : "topology");
}

void mhp_libvirt_alias(const struct mhp_dimm *d, char *buf, size_t size)
{
	snprintf(buf, size, "ua-%s", d->id);
}

/* ------------------------------------------------------------ tree helpers */

/* fmt and the variadic arguments of the enclosing function into buf[]. */
#define FORMAT(buf, fmt)                                     \
	do {                                                 \
		va_list ap_;                                 \
		va_start(ap_, fmt);                          \
		vsnprintf((buf), sizeof(buf), (fmt), ap_);   \
		va_end(ap_);                                 \
	} while (0)

/* libxml2 returns NULL only when out of memory; one flag per document
 * collects it, so the builders stay straight-line. */
struct doc {
	xmlDocPtr doc;
	bool oom;
};

static xmlNodePtr child(struct doc *d, xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n = parent ? xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text)
			      : xmlNewDocNode(d->doc, NULL, BAD_CAST name, NULL);

	if (!n)
		d->oom = true;
	return n;
}

static xmlNodePtr childf(struct doc *d, xmlNodePtr parent, const char *name, const char *fmt, ...) MHP_FORMAT(4, 5);
static xmlNodePtr childf(struct doc *d, xmlNodePtr parent, const char *name, const char *fmt, ...)
{
	char text[256];

	FORMAT(text, fmt);
	return child(d, parent, name, text);
}

static void prop(struct doc *d, xmlNodePtr n, const char *name, const char *value)
{
	if (n && !xmlNewProp(n, BAD_CAST name, BAD_CAST value))
		d->oom = true;
}

static void propf(struct doc *d, xmlNodePtr n, const char *name, const char *fmt, ...) MHP_FORMAT(4, 5);
static void propf(struct doc *d, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	char value[256];

	FORMAT(value, fmt);
	prop(d, n, name, value);
}

/* A comment in parent: where libvirt has no equivalent of what the QEMU
 * backend does, the XML says so. */
static void comment(struct doc *d, xmlNodePtr parent, const char *fmt, ...) MHP_FORMAT(3, 4);
static void comment(struct doc *d, xmlNodePtr parent, const char *fmt, ...)
{
	char text[512];

	FORMAT(text, fmt);
	_cleanup_free_ char *padded = mhp_xasprintf(" %s ", text);
	xmlNodePtr c = parent ? xmlNewDocComment(d->doc, BAD_CAST padded) : NULL;
	if (!c || !xmlAddChild(parent, c))
		d->oom = true;
}

/* Serializes d (consumed) into a new string. */
static int finish(struct doc *d, char **ret_xml)
{
	xmlChar *buf = NULL;
	int len = 0;

	if (!d->oom)
		xmlDocDumpFormatMemory(d->doc, &buf, &len, 1);
	xmlFreeDoc(d->doc);
	d->doc = NULL;
	if (!buf)
		return -ENOMEM;
	*ret_xml = mhp_xstrdup((const char *)buf);
	xmlFree(buf);
	return 0;
}

static int new_doc(struct doc *d, const char *root)
{
	*d = (struct doc){ xmlNewDoc(BAD_CAST "1.0"), false };
	if (!d->doc)
		return -ENOMEM;
	xmlNodePtr r = child(d, NULL, root, NULL);
	if (r)
		xmlDocSetRootElement(d->doc, r);
	return 0;
}

/* ------------------------------------------------------------ memory devices */

static void size_kib(struct doc *d, xmlNodePtr target, const char *name, uint64_t bytes)
{
	xmlNodePtr n = childf(d, target, name, "%" PRIu64, bytes >> 10);

	prop(d, n, "unit", "KiB");
}

static void memory_device(struct doc *d, xmlNodePtr parent, const struct mhp_topology *t, unsigned index)
{
	const struct mhp_dimm *m = &t->dimms[index];
	bool vm = m->kind == MHP_DEVICE_VIRTIO_MEM;
	xmlNodePtr dev = parent ? child(d, parent, "memory", NULL) : xmlDocGetRootElement(d->doc);
	char alias[MHP_ID_MAX + 8];

	prop(d, dev, "model", vm ? "virtio-mem" : "dimm");
	xmlNodePtr target = child(d, dev, "target", NULL);
	size_kib(d, target, "size", m->size);
	childf(d, target, "node", "%u", m->node);
	if (vm) {
		size_kib(d, target, "block", m->block_size);
		size_kib(d, target, "requested", m->requested_size);
	} else if (t->dsdt || m->addr) {
		xmlNodePtr addr = child(d, dev, "address", NULL);
		prop(d, addr, "type", "dimm");
		/* A regenerated DSDT names slot i's _PXM: DIMM i must sit there. */
		if (t->dsdt)
			propf(d, addr, "slot", "%u", mhp_topology_dimm_slot(t, index));
		if (m->addr)
			propf(d, addr, "base", "0x%" PRIx64, m->addr);
	}
	mhp_libvirt_alias(m, alias, sizeof(alias));
	prop(d, child(d, dev, "alias", NULL), "name", alias);
	if (!vm && m->pxm >= 0)
		comment(d, dev, "the topology gives this DIMM _PXM %d through a DSDT mhp regenerates from QEMU's; "
			"libvirt has no such setting: QEMU's DSDT reports _PXM %u (its node)", m->pxm, m->node);
}

int mhp_libvirt_device_xml(const struct mhp_topology *t, unsigned index, char **ret_xml)
{
	struct doc d;

	if (index >= t->nr_dimms)
		return -EINVAL;
	if (new_doc(&d, "memory") < 0)
		return -ENOMEM;
	memory_device(&d, NULL, t, index);
	return finish(&d, ret_xml);
}

/* ------------------------------------------------------------ the domain */

static uint64_t virtio_mem_bytes(const struct mhp_topology *t)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < t->nr_dimms; i++)
		if (t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM)
			sum += t->dimms[i].size;
	return sum;
}

/* What the QEMU backend passes that libvirt cannot: said in the XML. */
static void notes(struct doc *d, xmlNodePtr dom, const struct mhp_libvirt_config *cfg, const struct mhp_topology *t)
{
	if (strcmp(cfg->accel, "kvm"))
		comment(d, dom, "mhp runs TCG as -accel tcg,thread=single (multi-threaded TCG races the kernel's "
			"live code patching); libvirt 9.0 has no setting for TCG threads, so mhp's libvirt "
			"backend names as <emulator> a link to mhp that adds it (mhp-qemu-tcg-single)");
	for (unsigned i = 0; i < t->nr_nodes; i++)
		if (!t->nodes[i].memory)
			comment(d, dom, "node %u has no boot memory: QEMU's backend gives its -numa node no memdev; "
				"libvirt 9.0 makes a 0-size memory-backend-ram of this cell's memory='0', which "
				"QEMU refuses ('property size ... doesn't take value 0'): the domain does not start", i);
	if (t->dsdt)
		comment(d, dom, "this topology gives DIMMs a _PXM of their own through a DSDT mhp regenerates from "
			"QEMU's (captured on the QEMU backend's command line); libvirt has no such setting and "
			"its machine's DSDT differs: the DIMMs' slots are pinned, their _PXM is their node's");
	if (t->srat)
		comment(d, dom, "the SRAT (proximity domains, hot-pluggable ranges, interleave) is mhp's, "
			"in the first cpio of the initrd (ACPI table upgrade), as with the QEMU backend");
	comment(d, dom, "QEMU's monitor is libvirt's: raw QMP goes through virsh qemu-monitor-command");
}

static void os(struct doc *d, xmlNodePtr dom, const struct mhp_libvirt_config *cfg, const struct mhp_topology *t)
{
	struct mhp_qemu_config q = { .accel = cfg->accel, .extra_append = cfg->extra_append };
	_cleanup_free_ char *append = mhp_qemu_cmdline(&q, t);
	xmlNodePtr n = child(d, dom, "os", NULL), type = child(d, n, "type", "hvm");

	prop(d, type, "arch", "x86_64");
	prop(d, type, "machine", t->machine);
	child(d, n, "kernel", cfg->kernel);
	child(d, n, "initrd", cfg->initrd);
	child(d, n, "cmdline", append);
}

static void cpu_numa(struct doc *d, xmlNodePtr dom, const struct mhp_topology *t, unsigned ncpus)
{
	xmlNodePtr cpu = child(d, dom, "cpu", NULL), topo = child(d, cpu, "topology", NULL);
	xmlNodePtr numa = child(d, cpu, "numa", NULL);
	unsigned first = 0;

	/* One socket per CPU unless "sockets": "one" (guest/qemu.c says why). */
	propf(d, topo, "sockets", "%u", t->one_socket ? 1 : ncpus);
	prop(d, topo, "dies", "1");
	propf(d, topo, "cores", "%u", t->one_socket ? ncpus : 1);
	prop(d, topo, "threads", "1");
	for (unsigned i = 0; i < t->nr_nodes; i++) {
		const struct mhp_node *n = &t->nodes[i];
		xmlNodePtr cell = child(d, numa, "cell", NULL);

		propf(d, cell, "id", "%u", i);
		if (n->cpus == 1)
			propf(d, cell, "cpus", "%u", first);
		else if (n->cpus > 1)
			propf(d, cell, "cpus", "%u-%u", first, first + n->cpus - 1);
		propf(d, cell, "memory", "%" PRIu64, n->memory >> 20);
		prop(d, cell, "unit", "MiB");
		first += n->cpus;
	}
}

static void serial(struct doc *d, xmlNodePtr devs, const char *type, unsigned port, const char *path, bool connect)
{
	xmlNodePtr s = child(d, devs, "serial", NULL), src = child(d, s, "source", NULL);

	prop(d, s, "type", type);
	if (!strcmp(type, "unix"))
		prop(d, src, "mode", connect ? "connect" : "bind");
	prop(d, src, "path", path);
	if (!strcmp(type, "file")) /* a restored run's console.log starts with its boot */
		prop(d, src, "append", "on");
	propf(d, child(d, s, "target", NULL), "port", "%u", port);
}

static void devices(struct doc *d, xmlNodePtr dom, const struct mhp_libvirt_config *cfg, const struct mhp_topology *t)
{
	xmlNodePtr devs = child(d, dom, "devices", NULL);

	/* -nodefaults: libvirt adds a USB controller and a balloon unless told
	 * not to; it adds no graphics or video unless asked.  The PS/2 mouse
	 * and keyboard of x86 machines it always lists (QEMU has them anyway). */
	if (cfg->emulator)
		child(d, devs, "emulator", cfg->emulator);
	prop(d, child(d, devs, "controller", NULL), "type", "usb");
	prop(d, xmlGetLastChild(devs), "model", "none");
	serial(d, devs, "file", 0, cfg->console_log, false);
	serial(d, devs, "unix", 1, cfg->chan_socket, cfg->chan_connect);
	prop(d, child(d, devs, "memballoon", NULL), "model", "none");
	/* pvpanic: a guest whose kernel has the driver reports its panic. */
	prop(d, child(d, devs, "panic", NULL), "model", "isa");
	for (unsigned i = 0; i < t->nr_dimms; i++)
		if (t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM)
			memory_device(d, devs, t, i);
}

static unsigned virtio_mem_count(const struct mhp_topology *t)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->nr_dimms; i++)
		n += t->dimms[i].kind == MHP_DEVICE_VIRTIO_MEM;
	return n;
}

static void memory(struct doc *d, xmlNodePtr dom, const struct mhp_topology *t)
{
	/* libvirt's <memory> is the cells' sum plus the memory devices'. */
	uint64_t total = (mhp_topology_boot_memory(t) + virtio_mem_bytes(t)) >> 20;
	xmlNodePtr max = childf(d, dom, "maxMemory", "%" PRIu64, t->maxmem >> 20);

	/* libvirt counts every memory device against the slots; QEMU gives
	 * virtio-mem none.  Without them libvirt refuses the first DIMM. */
	propf(d, max, "slots", "%u", t->slots + virtio_mem_count(t));
	prop(d, max, "unit", "MiB");
	prop(d, childf(d, dom, "memory", "%" PRIu64, total), "unit", "MiB");
	prop(d, childf(d, dom, "currentMemory", "%" PRIu64, total), "unit", "MiB");
}

int mhp_libvirt_domain_xml(const struct mhp_libvirt_config *cfg, const struct mhp_topology *t, char **ret_xml)
{
	char name[MHP_ID_MAX + 256];
	unsigned ncpus = 0;
	struct doc d;

	if (new_doc(&d, "domain") < 0)
		return -ENOMEM;
	xmlNodePtr dom = xmlDocGetRootElement(d.doc);
	prop(&d, dom, "type", strcmp(cfg->accel, "kvm") ? "qemu" : "kvm");
	notes(&d, dom, cfg, t);
	mhp_libvirt_domain_name(t, name, sizeof(name));
	child(&d, dom, "name", cfg->name ? cfg->name : name);
	if (t->description)
		child(&d, dom, "description", t->description);
	memory(&d, dom, t);
	for (unsigned i = 0; i < t->nr_nodes; i++)
		ncpus += t->nodes[i].cpus;
	prop(&d, childf(&d, dom, "vcpu", "%u", ncpus), "placement", "static");
	os(&d, dom, cfg, t);
	child(&d, child(&d, dom, "features", NULL), "acpi", NULL);
	cpu_numa(&d, dom, t, ncpus);
	/* QEMU's backend runs with -no-reboot and panic=-1: anything but a
	 * running guest ends the domain. */
	child(&d, dom, "on_poweroff", "destroy");
	child(&d, dom, "on_reboot", "destroy");
	child(&d, dom, "on_crash", "destroy");
	devices(&d, dom, cfg, t);
	return finish(&d, ret_xml);
}
