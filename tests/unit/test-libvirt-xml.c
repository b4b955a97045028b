/* libvirt domain XML (guest/libvirt-xml.c): every corpus topology's domain
 * and device XML through libvirt's own schema (virt-xml-validate), the
 * content asserted with XPath on the parsed XML, and the replay directory
 * of mhp topo libvirt --replay end to end. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "testutil.h"
#include "cli/commands.h"
#include "guest/libvirt-embed.h"
#include "guest/libvirt-xml.h"
#include "guest/qemu.h"
#include "lib/process.h"
#include "lib/util.h"

static const struct mhp_libvirt_config cfg = {
	.accel = "tcg", .kernel = "/k/bzImage", .initrd = "/r/initrd.cpio", .console_log = "/r/console.log",
	.chan_socket = "/r/channel.sock",
};

static void load(struct mhp_topology *t, const char *path)
{
	char err[512];

	if (mhp_topology_load(t, path, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

static void parse_text(struct mhp_topology *t, const char *text)
{
	char err[512];

	if (mhp_topology_parse(t, "t.json", text, err, sizeof(err)) < 0)
		fail_msg("%s", err);
}

/* ------------------------------------------------------------ the schema */

/* virt-xml-validate FILE domain, from an argv; fails with its output. */
static void validate(const char *dir, const char *name, const char *xml)
{
	char *path = mhp_xasprintf("%s/%s.xml", dir, name), *log = mhp_xasprintf("%s/%s.log", dir, name);
	char *argv[] = { "virt-xml-validate", path, "domain", NULL };
	char err[4096];

	assert_int_equal(mhp_write_file_atomic(path, xml, strlen(xml)), 0);
	if (mhp_run_logged(argv, log, mhp_deadline_in_ms(60000), "virt-xml-validate", err, sizeof(err)) < 0)
		fail_msg("%s does not validate: %s\n%s", name, err, xml);
	free(path), free(log);
}

/* The domain with device XML dev added to its <devices>: a device is only
 * valid inside a domain, as libvirt's live XML holds it after the plug. */
static char *with_device(const char *domain, const char *dev)
{
	xmlDocPtr d = xmlReadMemory(domain, (int)strlen(domain), "domain.xml", NULL, XML_PARSE_NONET);
	xmlDocPtr m = xmlReadMemory(dev, (int)strlen(dev), "dev.xml", NULL, XML_PARSE_NONET);
	xmlChar *buf = NULL;
	int len = 0;

	assert_non_null(d), assert_non_null(m);
	xmlNodePtr devs = xmlDocGetRootElement(d)->children;
	while (devs && (devs->type != XML_ELEMENT_NODE || strcmp((const char *)devs->name, "devices")))
		devs = devs->next;
	assert_non_null(devs);
	assert_string_equal((const char *)xmlDocGetRootElement(m)->name, "memory");
	xmlAddChild(devs, xmlDocCopyNode(xmlDocGetRootElement(m), d, 1));
	xmlDocDumpMemory(d, &buf, &len);
	char *out = mhp_xstrdup((const char *)buf);
	xmlFree(buf), xmlFreeDoc(d), xmlFreeDoc(m);
	return out;
}

static void validate_topology(const char *dir, const char *path)
{
	struct mhp_topology t;
	char *domain = NULL;

	load(&t, path);
	assert_int_equal(mhp_libvirt_domain_xml(&cfg, &t, &domain), 0);
	validate(dir, t.name, domain);
	for (unsigned i = 0; i < t.nr_dimms; i++) {
		char *dev = NULL, *name = mhp_xasprintf("%s-%s", t.name, t.dimms[i].id);
		assert_int_equal(mhp_libvirt_device_xml(&t, i, &dev), 0);
		char *both = with_device(domain, dev);
		validate(dir, name, both);
		free(both), free(dev), free(name);
	}
	free(domain);
	mhp_topology_release(&t);
}

static void test_corpus_validates(void **state)
{
	(void)state;
	char dir[] = "/tmp/mhp-libvirt-XXXXXX";
	glob_t g;

	if (access("/usr/bin/virt-xml-validate", X_OK) < 0)
		fail_msg("virt-xml-validate is not installed (Debian package libvirt-clients: make deps)");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(glob(MHP_SOURCE_DIR "/topologies/*.json", 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 20);
	for (size_t i = 0; i < g.gl_pathc; i++)
		validate_topology(dir, g.gl_pathv[i]);
	globfree(&g);
	assert_int_equal(mhp_remove_tree(dir), 0);
}

/* ------------------------------------------------------------ content */

/* Node 1 has neither CPUs nor boot memory; the DIMM's address is fixed. */
static const char fixed_addr[] =
	"{ \"name\": \"fixed\", \"nodes\": [ { \"memory\": \"512M\", \"cpus\": 2 }, { \"memory\": 0, \"cpus\": 0 } ], "
	"\"slots\": 2, \"maxmem\": \"4G\", \"machine\": \"q35\", "
	"\"dimms\": [ { \"id\": \"a\", \"size\": \"256M\", \"node\": 1, \"addr\": \"0x108000000\" } ], "
	"\"steps\": [ { \"plug\": \"a\" }, { \"unplug\": \"a\" } ] }";

struct xpath_row {
	const char *name;
	const char *topology; /* a file in topologies/, or JSON text */
	int device;           /* -1: the domain; else the device XML of dimms[device] */
	const char *xpath;    /* evaluated, cast to a string */
	const char *want;
};

static const struct xpath_row xpath_rows[] = {
	{ "domain type qemu under TCG", "two-nodes-movable-node", -1, "string(/domain/@type)", "qemu" },
	{ "ACPI on", "two-nodes-movable-node", -1, "count(/domain/features/acpi)", "1" },
	{ "maxMemory slots", "cpuless-node-two-dimms", -1, "string(/domain/maxMemory/@slots)", "2" },
	{ "maxMemory slots: libvirt counts virtio-mem devices too", "virtio-mem-beside-dimm", -1,
	  "string(/domain/maxMemory/@slots)", "2" },
	{ "maxMemory in MiB", "cpuless-node-two-dimms", -1, "concat(/domain/maxMemory, /domain/maxMemory/@unit)", "4096MiB" },
	{ "memoryless node: cell memory 0", "memoryless-node-gains-memory", -1,
	  "string(/domain/cpu/numa/cell[@id='2']/@memory)", "0" },
	{ "memoryless node keeps its CPU", "memoryless-node-gains-memory", -1,
	  "string(/domain/cpu/numa/cell[@id='2']/@cpus)", "2" },
	{ "memoryless node said in a comment", "memoryless-node-gains-memory", -1,
	  "count(/domain/comment()[contains(., 'node 2 has no boot memory')])", "1" },
	{ "CPU-less node: cell without cpus", "cpuless-node-hot-add", -1, "count(/domain/cpu/numa/cell[@id='2']/@cpus)", "0" },
	{ "CPUs numbered across cells", "fixed", -1, "string(/domain/cpu/numa/cell[@id='0']/@cpus)", "0-1" },
	{ "vcpu is every node's CPUs", "memoryless-node-gains-memory", -1, "string(/domain/vcpu)", "3" },
	{ "one socket per CPU", "memoryless-node-gains-memory", -1, "string(/domain/cpu/topology/@sockets)", "3" },
	{ "machine q35", "cpuless-node-hot-add-q35", -1, "string(/domain/os/type/@machine)", "q35" },
	{ "machine pc", "cpuless-node-hot-add", -1, "string(/domain/os/type/@machine)", "pc" },
	{ "no DIMM at boot", "cpuless-node-two-dimms", -1, "count(/domain/devices/memory)", "0" },
	{ "virtio-mem devices at boot", "virtio-mem-two-nodes", -1, "count(/domain/devices/memory[@model='virtio-mem'])", "2" },
	{ "virtio-mem node", "virtio-mem-two-nodes", -1, "string(/domain/devices/memory[alias/@name='ua-vm1']/target/node)", "1" },
	{ "virtio-mem block size", "virtio-mem-big-blocks", -1, "concat(//memory/target/block, //memory/target/block/@unit)", "262144KiB" },
	{ "virtio-mem requested at boot", "virtio-mem-plugged-at-boot", -1,
	  "string(//memory[alias/@name='ua-vm0']/target/requested)", "393216" },
	{ "memory is the cells plus virtio-mem", "virtio-mem-two-nodes", -1, "string(/domain/memory)", "2048" },
	{ "console on ttyS0 to a file", "two-nodes-movable-node", -1,
	  "string(/domain/devices/serial[@type='file'][target/@port='0']/source/@path)", "/r/console.log" },
	{ "channel on ttyS1, QEMU listens", "two-nodes-movable-node", -1,
	  "string(/domain/devices/serial[@type='unix'][target/@port='1']/source/@mode)", "bind" },
	{ "pvpanic", "two-nodes-movable-node", -1, "string(/domain/devices/panic/@model)", "isa" },
	{ "no balloon", "two-nodes-movable-node", -1, "string(/domain/devices/memballoon/@model)", "none" },
	{ "no USB", "two-nodes-movable-node", -1, "string(/domain/devices/controller[@type='usb']/@model)", "none" },
	{ "no graphics", "two-nodes-movable-node", -1, "count(//graphics | //video)", "0" },
	{ "reboot ends it (-no-reboot)", "two-nodes-movable-node", -1, "string(/domain/on_reboot)", "destroy" },
	{ "crash ends it", "two-nodes-movable-node", -1, "string(/domain/on_crash)", "destroy" },
	{ "TCG threads said in a comment", "two-nodes-movable-node", -1,
	  "count(/domain/comment()[contains(., 'thread=single')])", "1" },
	{ "DIMM: model, size, node", "cpuless-node-hot-add", 0,
	  "concat(/memory/@model, ' ', /memory/target/size, /memory/target/size/@unit, ' ', /memory/target/node)",
	  "dimm 262144KiB 2" },
	{ "DIMM: user alias", "cpuless-node-hot-add", 0, "string(/memory/alias/@name)", "ua-bare" },
	{ "DIMM: no address unless fixed", "cpuless-node-hot-add", 0, "count(/memory/address)", "0" },
	{ "DIMM: fixed address", "fixed", 0, "concat(/memory/address/@type, ' ', /memory/address/@base)", "dimm 0x108000000" },
	{ "DIMM: slot pinned for a regenerated DSDT", "pxm-from-regenerated-dsdt", 1, "string(/memory/address/@slot)", "1" },
	{ "DIMM: its own _PXM said in a comment", "pxm-from-regenerated-dsdt", 0, "count(/memory/comment())", "1" },
};

/* XPath expr on xml, cast to a string (a new one). */
static char *xpath_string(const char *xml, const char *expr)
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "x.xml", NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	assert_non_null(obj);
	xmlChar *got = xmlXPathCastToString(obj);
	char *out = mhp_xstrdup((const char *)got);
	xmlFree(got), xmlXPathFreeObject(obj), xmlXPathFreeContext(ctx), xmlFreeDoc(doc);
	return out;
}

static void load_row(struct mhp_topology *t, const char *topology)
{
	if (!strcmp(topology, "fixed")) {
		parse_text(t, fixed_addr);
		return;
	}
	char *path = mhp_xasprintf("%s/topologies/%s.json", MHP_SOURCE_DIR, topology);
	load(t, path);
	free(path);
}

static void test_xpath(void **state)
{
	const struct xpath_row *row = *state;
	struct mhp_topology t;
	char *xml = NULL;

	load_row(&t, row->topology);
	if (row->device < 0)
		assert_int_equal(mhp_libvirt_domain_xml(&cfg, &t, &xml), 0);
	else
		assert_int_equal(mhp_libvirt_device_xml(&t, (unsigned)row->device, &xml), 0);
	char *got = xpath_string(xml, row->xpath);
	if (strcmp(got, row->want))
		fail_msg("%s: got '%s', want '%s' in\n%s", row->xpath, got, row->want, xml);
	free(got), free(xml);
	mhp_topology_release(&t);
}

/* The kernel command line is the QEMU backend's, word for word. */
static void test_cmdline_is_qemu_backends(void **state)
{
	(void)state;
	struct mhp_topology t;
	struct mhp_qemu_config q = { .accel = "tcg" };
	char *xml = NULL, *want;

	load_row(&t, "kernelcore-boot");
	want = mhp_qemu_cmdline(&q, &t);
	assert_int_equal(mhp_libvirt_domain_xml(&cfg, &t, &xml), 0);
	char *got = xpath_string(xml, "string(/domain/os/cmdline)");
	assert_string_equal(got, want);
	assert_non_null(strstr(want, "kernelcore="));
	free(got), free(xml), free(want);
	mhp_topology_release(&t);
}

static void test_kvm_domain_type(void **state)
{
	(void)state;
	struct mhp_libvirt_config kvm = cfg;
	struct mhp_topology t;
	char *xml = NULL;

	kvm.accel = "kvm";
	load_row(&t, "fixed");
	assert_int_equal(mhp_libvirt_domain_xml(&kvm, &t, &xml), 0);
	char *type = xpath_string(xml, "string(/domain/@type)"), *tcg = xpath_string(xml, "count(//comment()[contains(., 'thread=single')])");
	assert_string_equal(type, "kvm");
	assert_string_equal(tcg, "0");
	free(type), free(tcg), free(xml);
	assert_int_equal(mhp_libvirt_device_xml(&t, 1, &xml), -EINVAL);
	mhp_topology_release(&t);
}

/* The libvirt backend's own settings: the TCG wrapper as emulator (first
 * in <devices>, as the schema wants), the channel connecting to mhp, the
 * run's own domain name; the result still validates. */
static void test_backend_config(void **state)
{
	(void)state;
	struct mhp_libvirt_config own = cfg;
	struct mhp_topology t;
	char *xml = NULL, dir[] = "/tmp/mhp-lvxml-XXXXXX";

	own.emulator = "/c/mhp-qemu-tcg-single", own.chan_connect = true, own.name = "mhp-fixed-42";
	load_row(&t, "fixed");
	assert_int_equal(mhp_libvirt_domain_xml(&own, &t, &xml), 0);
	char *emu = xpath_string(xml, "string(/domain/devices/*[1][self::emulator])");
	char *mode = xpath_string(xml, "string(/domain/devices/serial[target/@port='1']/source/@mode)");
	char *name = xpath_string(xml, "string(/domain/name)");
	assert_string_equal(emu, "/c/mhp-qemu-tcg-single");
	assert_string_equal(mode, "connect");
	assert_string_equal(name, "mhp-fixed-42");
	assert_non_null(mkdtemp(dir));
	validate(dir, "backend", xml);
	free(emu), free(mode), free(name), free(xml);
	mhp_topology_release(&t);
	assert_int_equal(mhp_remove_tree(dir), 0);
}

/* The wrapper libvirt runs as QEMU: the QEMU named, "-accel tcg" with one
 * TCG thread, nothing else changed in libvirt's probe (its -machine accel=
 * neither). */
static void test_tcg_wrapper_argv(void **state)
{
	(void)state;
	char *in[] = { "/c/mhp-qemu-tcg-single", "-machine", "none,accel=tcg", "-accel", "tcg", "-name", "tcg", NULL };
	char **out = mhp_qemu_tcg_argv("/opt/qemu/bin/qemu-system-x86_64", 7, in);

	assert_string_equal(out[0], "/opt/qemu/bin/qemu-system-x86_64");
	assert_string_equal(out[2], "none,accel=tcg");
	assert_string_equal(out[4], "tcg,thread=single");
	assert_string_equal(out[6], "tcg");
	assert_null(out[7]);
	free(out);
	/* A guest's PC machine: no PS/2 controller, as with the QEMU backend. */
	char *guest[] = { "/c/mhp-qemu-tcg-single", "-machine", "pc-i440fx-7.2,usb=off", "-accel", "tcg", NULL };
	out = mhp_qemu_tcg_argv("/q", 5, guest);
	assert_string_equal(out[2], "pc-i440fx-7.2,usb=off");
	assert_string_equal(out[4], "tcg,thread=single");
	assert_string_equal(out[5], "-machine");
	assert_string_equal(out[6], "i8042=off");
	assert_null(out[7]);
	free(out);
}

/* The emulator link: to this very program, in a directory of the QEMU's
 * own (another QEMU, another path: libvirt keeps capabilities by path),
 * the QEMU's absolute path beside it; without --qemu, the one on PATH. */
static void test_tcg_emulator_link(void **state)
{
	(void)state;
	char dir[] = "/tmp/mhp-lvlink-XXXXXX", err[256], target[4096];
	char *self = realpath("/proc/self/exe", NULL), *qemu = realpath("/usr/bin/qemu-system-x86_64", NULL);
	char *named = NULL, *named2 = NULL;

	assert_non_null(qemu); /* ci/install-deps installs it */
	assert_non_null(mkdtemp(dir));
	char *link = mhp_lv_tcg_emulator(dir, "/usr/bin/qemu-system-x86_64", err, sizeof(err));
	if (!link)
		fail_msg("%s", err);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, self);
	char *prefix = mhp_xasprintf("%s/tcg-", dir);
	assert_int_equal(strncmp(link, prefix, strlen(prefix)), 0);
	char *binary = mhp_xasprintf("%.*s/%s", (int)(strrchr(link, '/') - link), link, MHP_QEMU_TCG_BINARY);
	assert_int_equal(mhp_read_file(binary, 4096, &named, NULL), 0);
	assert_string_equal(named, qemu);
	/* The same QEMU, by PATH: the same directory; a missing one: an error. */
	char *again = mhp_lv_tcg_emulator(dir, NULL, err, sizeof(err));
	if (!again)
		fail_msg("%s", err);
	assert_string_equal(again, link);
	assert_int_equal(mhp_read_file(binary, 4096, &named2, NULL), 0);
	assert_string_equal(named2, qemu);
	assert_null(mhp_lv_tcg_emulator(dir, "/nonexistent/qemu", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/qemu"));
	free(link), free(again), free(binary), free(named), free(named2), free(self), free(qemu), free(prefix);
	assert_int_equal(mhp_remove_tree(dir), 0);
}

/* Embed roots: one process each (flock), the first free one taken, each
 * with its qemu.conf. */
static void test_embed_roots(void **state)
{
	(void)state;
	char cache[] = "/tmp/mhp-lvroot-XXXXXX", err[256];
	struct mhp_lv_root a = MHP_LV_ROOT_INIT, b = MHP_LV_ROOT_INIT, c = MHP_LV_ROOT_INIT;

	assert_non_null(mkdtemp(cache));
	setenv("XDG_CACHE_HOME", cache, 1);
	assert_int_equal(mhp_lv_root_take(&a, err, sizeof(err)), 0);
	assert_int_equal(mhp_lv_root_take(&b, err, sizeof(err)), 0);
	assert_string_not_equal(a.path, b.path);
	char *conf = mhp_xasprintf("%s/etc/qemu.conf", a.path), *text = NULL;
	assert_int_equal(mhp_read_file(conf, 4096, &text, NULL), 0);
	assert_non_null(strstr(text, "security_driver = \"none\""));
	char *uri = mhp_lv_root_uri(&a), *want = mhp_xasprintf("qemu:///embed?root=%s", a.path);
	assert_string_equal(uri, want);
	char *first = mhp_xstrdup(a.path);
	mhp_lv_root_release(&a);
	assert_int_equal(mhp_lv_root_take(&c, err, sizeof(err)), 0);
	assert_string_equal(c.path, first); /* freed by release: free again */
	mhp_lv_root_release(&b), mhp_lv_root_release(&c);
	free(conf), free(text), free(uri), free(want), free(first);
	unsetenv("XDG_CACHE_HOME");
	assert_int_equal(mhp_remove_tree(cache), 0);
}

/* ------------------------------------------------------------ --replay */

struct replay_row {
	const char *name;
	const char *topology;
	bool srat; /* the initrd carries mhp's SRAT */
};

static const struct replay_row replay_rows[] = {
	{ "replay: interleaved nodes (SRAT in the initrd)", "three-nodes-interleaved", true },
	{ "replay: a DIMM beside a virtio-mem device", "virtio-mem-beside-dimm", false },
};

static int topo_libvirt(const char *dir, const char *kernel, const char *init, const char *file)
{
	char *argv[] = { "topo", "libvirt", "--replay", (char *)dir, "--kernel", (char *)kernel,
			 "--guest-init", (char *)init, (char *)file, NULL };

	return mhp_cmd_topo(9, argv);
}

/* Whether some entry of dir starts with prefix. */
static bool leftover(const char *dir, const char *prefix)
{
	char *pattern = mhp_xasprintf("%s/%s*", dir, prefix);
	glob_t g;
	bool found = glob(pattern, 0, NULL, &g) == 0;

	if (found)
		globfree(&g);
	free(pattern);
	return found;
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
	char *path = mhp_xasprintf("%s/%s", dir, name), *text = NULL;

	if (mhp_read_file(path, 64u << 20, &text, len) < 0)
		fail_msg("'%s' was not written", path);
	free(path);
	return text;
}

/* The README's virsh commands come in step order. */
static void commands_in_order(const struct mhp_topology *t, const char *readme, const char *out)
{
	const char *at = strstr(readme, "virsh create domain.xml");
	char files[MHP_MAX_DIMMS][16] = { { 0 } }, line[256];
	unsigned next = 0;

	assert_non_null(at);
	for (unsigned i = 0; i < t->nr_steps; i++) {
		const struct mhp_step *s = &t->steps[i];
		const char *id = t->dimms[s->dimm].id;

		if (s->kind == MHP_STEP_PLUG && !files[s->dimm][0])
			snprintf(files[s->dimm], sizeof(files[0]), "dimm%u.xml", next++);
		if (s->kind == MHP_STEP_PLUG)
			snprintf(line, sizeof(line), "virsh attach-device mhp-%s %s --live", t->name, files[s->dimm]);
		else if (s->kind == MHP_STEP_UNPLUG)
			snprintf(line, sizeof(line), "virsh detach-device-alias mhp-%s ua-%s --live", t->name, id);
		else if (s->kind == MHP_STEP_RESIZE)
			snprintf(line, sizeof(line), "virsh update-memory-device mhp-%s --alias ua-%s --requested-size %llu --live",
				 t->name, id, (unsigned long long)(s->size >> 10));
		else
			continue;
		const char *found = strstr(at, line);
		if (!found)
			fail_msg("step %u: no '%s' after the previous step's command in\n%s", i + 1, line, readme);
		at = found + strlen(line);
		if (s->kind == MHP_STEP_PLUG) {
			char *dev = slurp(out, files[s->dimm], NULL), *alias = mhp_xasprintf("\"ua-%s\"", id);
			assert_non_null(strstr(dev, alias));
			free(dev), free(alias);
		}
	}
}

static void test_replay(void **state)
{
	const struct replay_row *row = *state;
	char base[] = "/tmp/mhp-replay-XXXXXX";
	struct mhp_topology t;
	size_t len = 0;

	assert_non_null(mkdtemp(base));
	char *kernel = mhp_xasprintf("%s/bzImage", base), *init = mhp_xasprintf("%s/init", base);
	char *out = mhp_xasprintf("%s/out", base), *file = mhp_xasprintf("%s/topologies/%s.json", MHP_SOURCE_DIR, row->topology);
	assert_int_equal(mhp_write_file_atomic(kernel, "not a kernel", 12), 0);
	assert_int_equal(mhp_write_file_atomic(init, "not an init", 11), 0);
	load(&t, file);
	assert_int_equal(topo_libvirt(out, kernel, init, file), MHP_EXIT_PASS);
	char *readme = slurp(out, "README.md", NULL), *domain = slurp(out, "domain.xml", NULL);
	char *initrd = slurp(out, "initrd.cpio", &len), *want = mhp_xasprintf("<initrd>%s/initrd.cpio</initrd>", out);
	free(slurp(out, "topology.json", NULL));
	assert_non_null(strstr(domain, want));
	assert_non_null(memmem(initrd, len, "not an init", 11));
	assert_int_equal(memmem(initrd, len, "kernel/firmware/acpi/srat.aml", 29) != NULL, row->srat);
	commands_in_order(&t, readme, out);
	/* A DIR that holds something: exit 2, left as it was, nothing beside it. */
	assert_int_equal(topo_libvirt(out, kernel, init, file), MHP_EXIT_USAGE);
	free(slurp(out, "README.md", NULL));
	assert_false(leftover(base, "out.tmp-"));
	free(readme), free(domain), free(initrd), free(want), free(kernel), free(init), free(out), free(file);
	mhp_topology_release(&t);
	assert_int_equal(mhp_remove_tree(base), 0);
}

/* A failure half-way (no kernel) leaves nothing; an empty DIR is taken. */
static void test_replay_failure_leaves_nothing(void **state)
{
	(void)state;
	char base[] = "/tmp/mhp-replay-XXXXXX";

	assert_non_null(mkdtemp(base));
	char *init = mhp_xasprintf("%s/init", base), *out = mhp_xasprintf("%s/out", base);
	char *file = mhp_xasprintf("%s/topologies/cpuless-node-hot-add.json", MHP_SOURCE_DIR);
	char *gone = mhp_xasprintf("%s/no-such-kernel", base);
	assert_int_equal(mhp_write_file_atomic(init, "init", 4), 0);
	assert_int_equal(topo_libvirt(out, gone, init, file), MHP_EXIT_FAIL);
	assert_int_equal(access(out, F_OK), -1);
	assert_false(leftover(base, "out.tmp-"));
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(topo_libvirt(out, init, init, file), MHP_EXIT_PASS);
	assert_true(leftover(out, "dimm0.xml"));
	free(init), free(out), free(file), free(gone);
	assert_int_equal(mhp_remove_tree(base), 0);
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_corpus_validates);
	TEST_ROWS(&l, test_xpath, xpath_rows);
	TEST_ONE(&l, test_cmdline_is_qemu_backends);
	TEST_ONE(&l, test_kvm_domain_type);
	TEST_ONE(&l, test_backend_config);
	TEST_ONE(&l, test_tcg_wrapper_argv);
	TEST_ONE(&l, test_tcg_emulator_link);
	TEST_ONE(&l, test_embed_roots);
	TEST_ROWS(&l, test_replay, replay_rows);
	TEST_ONE(&l, test_replay_failure_leaves_nothing);
	return TEST_RUN("libvirt-xml", &l);
}
