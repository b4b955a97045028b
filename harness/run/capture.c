#include "run/capture.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guest/qemu.h"
#include "lib/cleanup.h"

/* What QEMU's DSDT depends on: the QEMU build and the machine on its
 * command line (the run's own paths and name blanked, they change every
 * time, and the knobs the guest may set at run time left out), so every
 * topology of one machine shape shares one capture. */
static char *cache_file(const struct mhp_machine *m)
{
	struct mhp_qemu_config cfg = { .binary = m->qemu, .accel = m->accel, .kernel = "K", .initrd = "I",
				       .console_log = "C", .qmp_socket = "Q", .chan_socket = "S", .runtime_knobs = true,
				       .shape = true };
	struct mhp_strv args = MHP_STRV_INIT;
	_cleanup_free_ char *version = mhp_qemu_version_line(m->qemu), *line = NULL, *name = NULL;
	uint64_t h = MHP_HASH_INIT;

	if (!version)
		return NULL;
	mhp_qemu_build_argv(&cfg, m->t, &args);
	line = mhp_strv_join(&args);
	mhp_strv_release(&args);
	h = mhp_hash(h, version, strlen(version));
	h = mhp_hash(h, line, strlen(line));
	name = mhp_xasprintf("dsdt/%016" PRIx64 ".aml", h);
	return mhp_cache_path(name);
}

static int boot_and_fetch(const struct mhp_machine *m, const struct mhp_backend_choice *b, const char *dir,
			  const char *aml, char *err, size_t errsize)
{
	_cleanup_free_ char *capdir = mhp_xasprintf("%s/capture", dir);
	_cleanup_free_ unsigned char *data = NULL;
	struct mhp_machine cap = *m;
	struct mhp_guest g;
	char exit[96], reason[64];
	size_t len = 0;
	int r;

	if (mkdir(capdir, 0755) < 0 && errno != EEXIST) {
		snprintf(err, errsize, "cannot create '%s': %s", capdir, strerror(errno));
		return -errno;
	}
	cap.tables = NULL, cap.ntables = 0, cap.pin_slots = false, cap.log_dir = capdir;
	mhp_guest_init_backend(&g, b);
	if ((r = mhp_guest_start(&g, &cap)) == 0 && (r = mhp_guest_acpi_table(&g, "DSDT", &data, &len)) == 0) {
		mhp_guest_power_off(&g, exit, sizeof(exit), reason, sizeof(reason));
		if ((r = mhp_write_file_atomic(aml, data, len)) < 0)
			snprintf(g.error, sizeof(g.error), "cannot write '%s': %s", aml, strerror(-r));
	}
	if (r < 0)
		snprintf(err, errsize, "capturing QEMU's DSDT: %s (logs in acpi/capture/)", g.error);
	mhp_guest_teardown(&g);
	return r;
}

int mhp_capture_dsdt(const struct mhp_machine *m, const struct mhp_backend_choice *b, const char *dir, char *err,
		     size_t errsize)
{
	/* libvirt's machine is its own (its devices, its slots): captured each
	 * time, not keyed by a QEMU command line. */
	_cleanup_free_ char *aml = mhp_xasprintf("%s/qemu-dsdt.aml", dir);
	_cleanup_free_ char *cached = b->libvirt ? NULL : cache_file(m), *data = NULL;
	size_t len = 0;
	int r;

	if (cached && mhp_read_file(cached, 4u << 20, &data, &len) == 0 && len > 36 && !memcmp(data, "DSDT", 4)) {
		if ((r = mhp_write_file_atomic(aml, data, len)) < 0)
			snprintf(err, errsize, "cannot write '%s': %s", aml, strerror(-r));
		return r;
	}
	free(data);
	data = NULL;
	if ((r = boot_and_fetch(m, b, dir, aml, err, errsize)) < 0)
		return r;
	if (cached && mhp_read_file(aml, 4u << 20, &data, &len) == 0) {
		_cleanup_free_ char *cache_dir = mhp_xstrdup(cached);
		*strrchr(cache_dir, '/') = '\0';
		/* The cache only saves a boot: failing to fill it is no error. */
		if (mhp_mkdir_p(cache_dir, 0755) == 0)
			mhp_write_file_atomic(cached, data, len);
	}
	return 0;
}
