/* Memory devices of the libvirt backend, through libvirt's API: a DIMM is
 * attached live (libvirt does object-add and device_add) and detached by
 * its alias; libvirt's DEVICE_REMOVED or DEVICE_REMOVAL_FAILED, or the
 * guest's refusing _OST, says how an unplug ended.  The guest's _OST of an
 * insert and virtio-mem's size changes are QEMU monitor events passed on
 * by libvirt.  What libvirt thinks is plugged comes from the live domain
 * XML (libxml2), as query-memory-devices does for the QEMU backend. */
#include "guest/libvirt-guest.h"

#include <errno.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/device-waits.h"
#include "guest/libvirt-xml.h"
#include "lib/cleanup.h"

/* A <memory> device of the live XML. */
struct lv_memory {
	uint64_t size, requested, current, base; /* bytes */
	long node;
	bool virtio_mem;
};

static uint64_t number_of(xmlNodePtr n)
{
	xmlChar *text = xmlNodeGetContent(n);
	uint64_t v = text ? strtoull((const char *)text, NULL, 10) : 0;

	xmlFree(text);
	return v;
}

/* libvirt writes memory sizes in KiB. */
static uint64_t kib_of(xmlNodePtr n)
{
	return number_of(n) << 10;
}

static bool named(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static bool has_alias(xmlNodePtr mem, const char *alias)
{
	for (xmlNodePtr c = mem->children; c; c = c->next)
		if (named(c, "alias")) {
			xmlChar *name = xmlGetProp(c, (const xmlChar *)"name");
			bool same = name && !strcmp((const char *)name, alias);
			xmlFree(name);
			return same;
		}
	return false;
}

static void read_memory(xmlNodePtr mem, struct lv_memory *m)
{
	xmlChar *model = xmlGetProp(mem, (const xmlChar *)"model");

	m->virtio_mem = model && !strcmp((const char *)model, "virtio-mem");
	xmlFree(model);
	for (xmlNodePtr c = mem->children; c; c = c->next) {
		if (named(c, "address")) {
			xmlChar *base = xmlGetProp(c, (const xmlChar *)"base");
			m->base = base ? strtoull((const char *)base, NULL, 0) : 0;
			xmlFree(base);
		}
		if (!named(c, "target"))
			continue;
		for (xmlNodePtr t = c->children; t; t = t->next) {
			if (named(t, "size"))
				m->size = kib_of(t);
			else if (named(t, "requested"))
				m->requested = kib_of(t);
			else if (named(t, "current"))
				m->current = kib_of(t);
			else if (named(t, "node"))
				m->node = (long)number_of(t);
		}
	}
}

/* The live domain XML (a new document; NULL said in g->error). */
static xmlDocPtr live_xml(struct mhp_guest *g)
{
	_cleanup_free_ char *xml = virDomainGetXMLDesc(mhp_lv_of(g)->dom, 0);
	xmlDocPtr doc;

	if (!xml) {
		mhp_lv_api_fail(g, "virDomainGetXMLDesc");
		return NULL;
	}
	if (!(doc = xmlReadMemory(xml, (int)strlen(xml), "live.xml", NULL, XML_PARSE_NONET)))
		snprintf(g->error, sizeof(g->error), "libvirt's live domain XML does not parse");
	return doc;
}

static xmlNodePtr find_memory(xmlDocPtr doc, const char *alias)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);

	for (xmlNodePtr devs = root ? root->children : NULL; devs; devs = devs->next)
		for (xmlNodePtr c = named(devs, "devices") ? devs->children : NULL; c; c = c->next)
			if (named(c, "memory") && has_alias(c, alias))
				return c;
	return NULL;
}

/* The live <memory> with alias into *ret: 1, or 0 when absent. */
static int live_memory(struct mhp_guest *g, const char *alias, struct lv_memory *ret)
{
	xmlDocPtr doc = live_xml(g);
	xmlNodePtr mem = doc ? find_memory(doc, alias) : NULL;

	if (!doc)
		return -EPROTO;
	*ret = (struct lv_memory){ .node = -1 };
	if (mem)
		read_memory(mem, ret);
	xmlFreeDoc(doc);
	return mem != NULL;
}

static void alias_of(struct mhp_guest *g, unsigned index, char *buf, size_t size)
{
	mhp_libvirt_alias(&g->m->t->dimms[index], buf, size);
}

/* Where QEMU put virtio-mem device alias: libvirt 9.0's XML gives only
 * its PCI address, so QEMU's query-memory-devices is asked through
 * libvirt's monitor pass-through. */
static int region_start(struct mhp_guest *g, const char *alias, uint64_t *ret)
{
	json_object *reply = NULL, *list = NULL, *dev;
	int r = mhp_lv_monitor(g, "query-memory-devices", &reply);

	if (r == 0 && json_object_object_get_ex(reply, "return", &list) && (dev = mhp_qmp_memory_device_in(list, alias))) {
		*ret = (uint64_t)mhp_json_path_int(dev, "data/memaddr", 0);
	} else if (r == 0) {
		mhp_guest_say(g, "QEMU's query-memory-devices lists no '%s'", alias);
		r = -EPROTO;
	}
	json_object_put(reply);
	return r;
}

int mhp_lv_device(struct mhp_guest *g, const char *id, char *view, size_t size, uint64_t *ret_addr)
{
	_cleanup_free_ char *alias = mhp_xasprintf("ua-%s", id);
	struct lv_memory m;
	int r = live_memory(g, alias, &m);

	if (r < 0)
		return r;
	snprintf(view, size, "(absent)");
	if (r == 0)
		return 0;
	/* A virtio-mem device's size is what the guest plugged, as in QEMU's view. */
	snprintf(view, size, "node=%ld size=%" PRIu64, m.node, m.virtio_mem ? m.current : m.size);
	if (ret_addr && m.virtio_mem)
		return region_start(g, alias, ret_addr);
	if (ret_addr)
		*ret_addr = m.base;
	return 0;
}

/* ------------------------------------------------------------ DIMMs */

static int event_wait(struct mhp_guest *g, mhp_deadline_t deadline, mhp_qmp_event_match_fn match, void *ctx,
		      json_object **ret_event)
{
	return mhp_lv_events_wait(mhp_lv_of(g)->ev, deadline, match, ctx, ret_event);
}

int mhp_lv_plug(struct mhp_guest *g, unsigned index, struct mhp_plugged *ret)
{
	const struct mhp_dimm *d = &g->m->t->dimms[index];
	_cleanup_free_ char *xml = NULL;
	char alias[MHP_ID_MAX + 8];
	int r;

	*ret = (struct mhp_plugged){ 0 };
	alias_of(g, index, alias, sizeof(alias));
	if (mhp_libvirt_device_xml(g->m->t, index, &xml) < 0)
		return snprintf(g->error, sizeof(g->error), "cannot build the XML of '%s'", d->id), -ENOMEM;
	mhp_lv_log(g, "virDomainAttachDeviceFlags live %s", xml);
	if (virDomainAttachDeviceFlags(mhp_lv_of(g)->dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
		return mhp_lv_api_fail(g, "virDomainAttachDeviceFlags");
	if ((r = mhp_guest_wait_ost(g, event_wait, alias, 1, &ret->ost_status)) < 0 ||
	    (r = mhp_lv_device(g, d->id, ret->device, sizeof(ret->device), &ret->addr)) < 0)
		return r;
	if (ret->addr == 0) {
		snprintf(g->error, sizeof(g->error), "libvirt's live XML gives DIMM '%s' no address after the attach: %s",
			 d->id, ret->device);
		return -EPROTO;
	}
	return mhp_guest_await_blocks(g, "await-add", (unsigned)(d->size / g->hello.block_size), &ret->ids, &ret->nids,
				      "the guest to see the new memory blocks");
}

/* libvirt's word on the detach of alias, or the guest's refusing _OST. */
static bool unplug_event(json_object *ev, void *ctx)
{
	const char *alias = ctx, *name = mhp_qmp_event_name(ev), *dev = mhp_json_path_string(ev, "data/device");

	if (name && (!strcmp(name, "libvirt DEVICE_REMOVED") || !strcmp(name, "libvirt DEVICE_REMOVAL_FAILED")))
		return dev && !strcmp(dev, alias);
	return mhp_qmp_match_ost_refusal(ev, alias);
}

int mhp_lv_unplug(struct mhp_guest *g, unsigned index, unsigned nblocks, enum mhp_unplug_outcome *ret,
		  char *reason, size_t size)
{
	char alias[MHP_ID_MAX + 8];
	off_t from = mhp_guest_console_size(g);
	json_object *ev = NULL;
	int r;

	alias_of(g, index, alias, sizeof(alias));
	/* A refused eject gives two events (the guest's _OST, libvirt's
	 * DEVICE_REMOVAL_FAILED): the one left of an earlier refusal would end
	 * this wait at once. */
	mhp_guest_drain_events(g, event_wait, unplug_event, alias);
	mhp_lv_log(g, "virDomainDetachDeviceAlias live %s", alias);
	if (virDomainDetachDeviceAlias(mhp_lv_of(g)->dom, alias, VIR_DOMAIN_AFFECT_LIVE) < 0)
		return mhp_lv_api_fail(g, "virDomainDetachDeviceAlias");
	if ((r = mhp_guest_wait_unplug(g, event_wait, unplug_event, alias, from, &ev)) < 0)
		return mhp_lv_fail(g, r, "libvirt's DEVICE_REMOVED, DEVICE_REMOVAL_FAILED or a failed ACPI_DEVICE_OST");
	const char *name = mhp_qmp_event_name(ev);
	*ret = strcmp(name, "libvirt DEVICE_REMOVED") ? MHP_UNPLUG_REFUSED : MHP_UNPLUG_REMOVED;
	if (!strcmp(name, "ACPI_DEVICE_OST"))
		snprintf(reason, size, "ACPI _OST status 0x%" PRIx64, (uint64_t)mhp_json_path_int(ev, "data/info/status", 0));
	else
		snprintf(reason, size, "libvirt %s", name + strlen("libvirt "));
	json_object_put(ev);
	if (*ret == MHP_UNPLUG_REFUSED)
		return 0;
	reason[0] = '\0';
	return mhp_guest_await_blocks(g, "await-remove", nblocks, NULL, NULL, "the guest to see the blocks removed");
}

/* ------------------------------------------------------------ virtio-mem */

static int query(struct mhp_guest *g, const char *alias, struct mhp_resized *r)
{
	struct lv_memory m;
	int rc = live_memory(g, alias, &m);

	if (rc < 0)
		return rc;
	if (rc == 0) {
		snprintf(g->error, sizeof(g->error), "libvirt's live XML has no virtio-mem device '%s'", alias);
		return -EPROTO;
	}
	r->size = m.current;
	r->requested = m.requested;
	return region_start(g, alias, &r->addr);
}

/* virsh update-memory-device: the live device's XML with a new <requested>. */
static int set_requested(struct mhp_guest *g, const char *alias, uint64_t size)
{
	xmlDocPtr doc = live_xml(g);
	xmlNodePtr mem = doc ? find_memory(doc, alias) : NULL;
	xmlBufferPtr buf = xmlBufferCreate();
	int r = -EPROTO;

	for (xmlNodePtr c = mem ? mem->children : NULL; c; c = c->next)
		for (xmlNodePtr t = named(c, "target") ? c->children : NULL; t; t = t->next)
			if (named(t, "requested")) {
				char kib[32];
				snprintf(kib, sizeof(kib), "%" PRIu64, size >> 10);
				xmlNodeSetContent(t, (const xmlChar *)kib);
				xmlSetProp(t, (const xmlChar *)"unit", (const xmlChar *)"KiB");
				r = 0;
			}
	if (r == 0 && buf && xmlNodeDump(buf, doc, mem, 0, 0) > 0) {
		const char *xml = (const char *)xmlBufferContent(buf);
		mhp_lv_log(g, "virDomainUpdateDeviceFlags live %s", xml);
		if (virDomainUpdateDeviceFlags(mhp_lv_of(g)->dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
			r = mhp_lv_api_fail(g, "virDomainUpdateDeviceFlags");
	} else if (r == 0 || doc) {
		snprintf(g->error, sizeof(g->error), "libvirt's live XML has no <requested> for '%s'", alias);
		r = -EPROTO;
	}
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return r;
}

/* query reads libvirt's live XML, which changes only on libvirt's own
 * event: asking it more often than the event comes would find nothing. */
static int wait_size(struct mhp_guest *g, const char *alias, bool settle, struct mhp_resized *r)
{
	return mhp_virtio_mem_wait_size(g, event_wait, query, alias, 1000, settle, r);
}

int mhp_lv_resize(struct mhp_guest *g, unsigned index, uint64_t size, int nblocks, struct mhp_resized *ret)
{
	char alias[MHP_ID_MAX + 8];
	int r;

	*ret = (struct mhp_resized){ 0 };
	alias_of(g, index, alias, sizeof(alias));
	mhp_guest_drain_events(g, event_wait, mhp_qmp_match_size_change, alias);
	if ((r = mhp_virtio_mem_before_resize(g, nblocks)) < 0)
		return r;
	if ((r = set_requested(g, alias, size)) < 0 || (r = wait_size(g, alias, nblocks == 0, ret)) < 0)
		return r;
	/* A shrink the guest did in part: what it has becomes the request. */
	if (nblocks == 0 && ret->size != ret->requested && (r = set_requested(g, alias, ret->size)) < 0)
		return r;
	return mhp_virtio_mem_after_resize(g, nblocks, ret);
}

int mhp_lv_boot_plugged(struct mhp_guest *g, unsigned index, unsigned first_id, unsigned end_id, unsigned nblocks,
			struct mhp_resized *ret)
{
	char alias[MHP_ID_MAX + 8];
	int r;

	*ret = (struct mhp_resized){ 0 };
	alias_of(g, index, alias, sizeof(alias));
	if ((r = wait_size(g, alias, false, ret)) < 0)
		return r;
	return mhp_virtio_mem_await_boot_blocks(g, first_id, end_id, nblocks, ret);
}
