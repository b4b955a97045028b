/* mhp topo check|show|acpi|qemu|libvirt: look at a topology without running it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "acpi/acpi.h"
#include "lib/cleanup.h"
#include "cli/commands.h"
#include "acpi/iasl.h"
#include "guest/kernel-image.h"
#include "lib/log.h"
#include "guest/libvirt-xml.h"
#include "guest/qemu.h"
#include "fuzz/generate.h"
#include "model/topo-show.h"
#include "report/html.h"
#include "run/replay.h"
#include "model/topology.h"

static const char topo_usage[] =
	"usage: mhp topo check FILE...     validate topology files (silent when good)\n"
	"       mhp topo show FILE         the memory map: ranges per node, hotplug window, DIMMs\n"
	"       mhp topo show --svg FILE   the same drawn, as in mhp report (SVG on stdout)\n"
	"       mhp topo acpi FILE DIR     write the SRAT mhp generates (srat.dsl), compile it\n"
	"                                  (srat.aml) and disassemble it back (srat-disassembled.dsl)\n"
	"       mhp topo qemu FILE         the QEMU command line, one argument per line\n"
	"       mhp topo libvirt [--accel tcg|kvm] FILE\n"
	"                                  the libvirt domain XML of the boot (no DIMM, every virtio-mem\n"
	"                                  device), then each DIMM's device XML as a document of its own\n"
	"                                  (each starts with <?xml); paths as mhp topo qemu shows them\n"
	"       mhp topo libvirt --replay DIR [--kernel PATH] [--guest-init PATH] [--accel tcg|kvm] FILE\n"
	"                                  a reproducer in DIR (new or empty): domain.xml, dimm0.xml... in\n"
	"                                  plug order, initrd.cpio as a run builds it, topology.json and a\n"
	"                                  README.md with the virsh commands in step order\n"
	"       mhp topo generate SEED [INDEX]  scenario INDEX (default 0) of a fuzz campaign\n"
	"                                  with SEED (decimal or 0x-hex): the topology file mhp fuzz runs\n"
	"Bad input: exit 2 with FILE:LINE: field 'NAME': what is wrong.\n";

static int load(const char *path, struct mhp_topology *t)
{
	char err[512];

	if (mhp_topology_load(t, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "mhp: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

static int topo_check(int argc, char **argv)
{
	int bad = 0;

	for (int i = 0; i < argc; i++) {
		struct mhp_topology t;

		if (load(argv[i], &t) < 0) {
			bad = 1;
			continue;
		}
		mhp_topology_release(&t);
	}
	return bad ? MHP_EXIT_USAGE : MHP_EXIT_PASS;
}

/* In words, or (--svg) as the report's drawing. */
static int topo_show(const char *path, bool svg)
{
	_cleanup_free_ char *text = NULL;
	struct mhp_topology t;
	int r = 0;

	if (load(path, &t) < 0)
		return MHP_EXIT_USAGE;
	if (!svg)
		mhp_topo_show(stdout, &t);
	else if ((r = mhp_report_svg(&t, &text)) == 0)
		fputs(text, stdout);
	mhp_topology_release(&t);
	return r < 0 ? MHP_EXIT_SKIP : MHP_EXIT_PASS;
}

static int write_and_compile(const struct mhp_topology *t, const char *dir)
{
	_cleanup_free_ char *src = mhp_acpi_srat_source(t, t->srat_oem_revision ? t->srat_oem_revision : MHP_ACPI_OEM_REVISION);
	_cleanup_free_ char *dsl = mhp_xasprintf("%s/srat.dsl", dir), *prefix = mhp_xasprintf("%s/srat", dir);
	_cleanup_free_ char *aml = mhp_xasprintf("%s/srat.aml", dir), *back = mhp_xasprintf("%s/srat-disassembled", dir);
	_cleanup_free_ char *log = NULL, *log2 = NULL;
	int r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return mhp_log_errno(-errno, "cannot create '%s'", dir);
	if ((r = mhp_write_file_logged(dsl, src, strlen(src))) < 0)
		return r;
	if ((r = mhp_iasl_compile(dsl, prefix, &log)) < 0) {
		_cleanup_free_ char *why = mhp_iasl_summary(log);
		return r == -ENOENT ? mhp_log_errno(r, "iasl (Debian package acpica-tools) is needed")
				    : mhp_log_errno(r, "iasl rejected '%s': %s", dsl, why);
	}
	if ((r = mhp_iasl_disassemble(aml, back, &log2)) < 0)
		return mhp_log_errno(r, "iasl -d failed on '%s'", aml);
	printf("%s\n%s\n%s.dsl\n", dsl, aml, back);
	if (!t->srat)
		printf("note: this topology runs with QEMU's own SRAT; this is the one mhp would generate\n");
	return 0;
}

static int topo_acpi(const char *path, const char *dir)
{
	struct mhp_topology t;
	int r;

	if (load(path, &t) < 0)
		return MHP_EXIT_USAGE;
	r = write_and_compile(&t, dir);
	mhp_topology_release(&t);
	return r < 0 ? (r == -ENOENT ? MHP_EXIT_SKIP : MHP_EXIT_FAIL) : MHP_EXIT_PASS;
}

static int topo_qemu(const char *path)
{
	_cleanup_free_ char *kernel = NULL;
	struct mhp_topology t;
	struct mhp_strv argv = MHP_STRV_INIT;

	if (load(path, &t) < 0)
		return MHP_EXIT_USAGE;
	if (mhp_kernel_newest("/boot", "vmlinuz-", &kernel) < 0)
		kernel = mhp_xstrdup("KERNEL");
	struct mhp_qemu_config cfg = { .accel = "tcg", .kernel = kernel, .initrd = "RUNDIR/initrd.cpio",
				       .console_log = "RESULTS/console.log", .qmp_socket = "RUNDIR/qmp.sock",
				       .chan_socket = "RUNDIR/channel.sock" };
	mhp_qemu_build_argv(&cfg, &t, &argv);
	for (size_t i = 0; i < argv.n; i++)
		printf("%s\n", argv.v[i]);
	mhp_strv_release(&argv);
	mhp_topology_release(&t);
	return MHP_EXIT_PASS;
}

/* The domain XML, then each DIMM's device XML. */
static int print_libvirt(const struct mhp_topology *t, const struct mhp_libvirt_config *cfg)
{
	_cleanup_free_ char *xml = NULL;
	int r;

	if ((r = mhp_libvirt_domain_xml(cfg, t, &xml)) < 0)
		return r;
	fputs(xml, stdout);
	for (unsigned i = 0; i < t->nr_dimms; i++) {
		_cleanup_free_ char *dev = NULL;

		if (t->dimms[i].kind != MHP_DEVICE_DIMM)
			continue;
		if ((r = mhp_libvirt_device_xml(t, i, &dev)) < 0)
			return r;
		fputs(dev, stdout);
	}
	return 0;
}

struct libvirt_args {
	const char *replay, *kernel, *guest_init, *accel, *file;
};

static int topo_libvirt(const struct libvirt_args *a)
{
	_cleanup_free_ char *kernel = a->kernel ? mhp_xstrdup(a->kernel) : NULL;
	struct mhp_topology t;
	char err[1024];
	int r;

	if (load(a->file, &t) < 0)
		return MHP_EXIT_USAGE;
	if (!kernel && mhp_kernel_newest("/boot", "vmlinuz-", &kernel) < 0)
		kernel = mhp_xstrdup(a->replay ? "" : "/KERNEL");
	if (a->replay) {
		struct mhp_replay_opts o = { .kernel = kernel, .guest_init = a->guest_init, .accel = a->accel };
		r = mhp_replay_write(&t, a->replay, &o, err, sizeof(err));
		if (r < 0)
			fprintf(stderr, "mhp: topo libvirt --replay: %s\n", err);
		else
			printf("%s/README.md\n", a->replay);
	} else {
		struct mhp_libvirt_config cfg = { .accel = a->accel, .kernel = kernel, .initrd = "/RUNDIR/initrd.cpio",
						  .console_log = "/RESULTS/console.log",
						  .chan_socket = "/RUNDIR/channel.sock" };
		if ((r = print_libvirt(&t, &cfg)) < 0)
			fprintf(stderr, "mhp: topo libvirt: %s\n", strerror(-r));
	}
	mhp_topology_release(&t);
	return r == -EEXIST || r == -ENOTDIR ? MHP_EXIT_USAGE : r < 0 ? MHP_EXIT_FAIL : MHP_EXIT_PASS;
}

/* [--replay DIR] [--kernel PATH] [--guest-init PATH] [--accel tcg|kvm] FILE, in any order. */
static int topo_libvirt_args(int argc, char **argv)
{
	struct libvirt_args a = { .accel = "tcg" };

	for (int i = 0; i < argc; i++) {
		const char **opt = !strcmp(argv[i], "--replay") ? &a.replay
				   : !strcmp(argv[i], "--kernel") ? &a.kernel
				   : !strcmp(argv[i], "--guest-init") ? &a.guest_init
				   : !strcmp(argv[i], "--accel") ? &a.accel : NULL;
		if (opt && i + 1 < argc)
			*opt = argv[++i];
		else if (!opt && argv[i][0] != '-' && !a.file)
			a.file = argv[i];
		else
			a.file = NULL, i = argc;
	}
	if (!a.file || (strcmp(a.accel, "tcg") && strcmp(a.accel, "kvm"))) {
		fputs(topo_usage, stderr);
		return MHP_EXIT_USAGE;
	}
	return topo_libvirt(&a);
}

static int topo_generate(const char *seed_arg, const char *index_arg)
{
	uint64_t seed, index = 0;
	_cleanup_free_ char *text = NULL;
	struct mhp_topology t;
	char err[512];
	int r;

	if (mhp_parse_u64(seed_arg, &seed) < 0 || (index_arg && mhp_parse_u64(index_arg, &index) < 0)) {
		fprintf(stderr, "mhp: topo generate: SEED and INDEX are numbers (decimal or 0x-hex), not '%s'\n",
			index_arg && mhp_parse_u64(seed_arg, &seed) == 0 ? index_arg : seed_arg);
		return MHP_EXIT_USAGE;
	}
	if ((r = mhp_fuzz_generate(&t, seed, index, err, sizeof(err))) == 0)
		r = mhp_topology_write(&t, &text);
	mhp_topology_release(&t);
	if (r < 0) {
		fprintf(stderr, "mhp: topo generate: generator bug: %s\n", r == -EINVAL ? err : strerror(-r));
		return MHP_EXIT_FAIL;
	}
	fputs(text, stdout);
	return MHP_EXIT_PASS;
}

int mhp_cmd_topo(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : "";

	if (!strcmp(sub, "--help") || !strcmp(sub, "-h")) {
		fputs(topo_usage, stdout);
		return MHP_EXIT_PASS;
	}
	if (!strcmp(sub, "check") && argc >= 3)
		return topo_check(argc - 2, argv + 2);
	if (!strcmp(sub, "show") && argc == 3)
		return topo_show(argv[2], false);
	if (!strcmp(sub, "show") && argc == 4 && !strcmp(argv[2], "--svg"))
		return topo_show(argv[3], true);
	if (!strcmp(sub, "acpi") && argc == 4)
		return topo_acpi(argv[2], argv[3]);
	if (!strcmp(sub, "qemu") && argc == 3)
		return topo_qemu(argv[2]);
	if (!strcmp(sub, "libvirt"))
		return topo_libvirt_args(argc - 2, argv + 2);
	if (!strcmp(sub, "generate") && (argc == 3 || argc == 4))
		return topo_generate(argv[2], argc == 4 ? argv[3] : NULL);
	fputs(topo_usage, stderr);
	return MHP_EXIT_USAGE;
}
