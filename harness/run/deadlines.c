#include "run/deadlines.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "guest/qemu.h"
#include "lib/cleanup.h"

/* What a boot's length depends on: the kernel file (path, size, mtime),
 * the QEMU build, the accelerator, the host kernel. */
static char *key_text(const struct mhp_deadline_key *k)
{
	_cleanup_free_ char *version = mhp_qemu_version_line(k->qemu);
	struct utsname u;
	struct stat st;

	if (!version || stat(k->kernel, &st) < 0 || uname(&u) < 0)
		return NULL;
	return mhp_xasprintf("%s %lld %lld.%09ld | %s | %s | %s", k->kernel, (long long)st.st_size,
			     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, version, k->accel, u.release);
}

static char *cache_file(const char *key)
{
	_cleanup_free_ char *name = mhp_xasprintf("boot-times/%016" PRIx64, mhp_hash(MHP_HASH_INIT, key, strlen(key)));

	return mhp_cache_path(name);
}

/* The recorded boot of key in ms, 0 when none. */
static unsigned cached_boot_ms(const char *key)
{
	_cleanup_free_ char *path = cache_file(key), *text = NULL;
	unsigned long ms;
	char *nl;

	if (mhp_read_file(path, 8192, &text, NULL) < 0 || !(nl = strchr(text, '\n')))
		return 0;
	*nl = '\0';
	if (strcmp(text, key) || sscanf(nl + 1, "%lu", &ms) != 1 || ms == 0 || ms > 3600000)
		return 0;
	return (unsigned)ms;
}

unsigned mhp_deadline_derive(unsigned boot_ms, unsigned factor, unsigned floor_ms)
{
	uint64_t d = (uint64_t)boot_ms * factor;

	return d > floor_ms ? (d > UINT32_MAX ? UINT32_MAX : (unsigned)d) : floor_ms;
}

void mhp_deadlines_get(const struct mhp_deadline_key *k, unsigned given_boot_ms, unsigned given_step_ms,
		       unsigned default_boot_ms, unsigned default_step_ms, struct mhp_deadlines *ret)
{
	_cleanup_free_ char *key = key_text(k);
	unsigned boot = key ? cached_boot_ms(key) : 0;

	ret->boot_ms = given_boot_ms ? given_boot_ms : mhp_deadline_derive(boot, MHP_DEADLINE_BOOT_FACTOR, default_boot_ms);
	ret->step_ms = given_step_ms ? given_step_ms : mhp_deadline_derive(boot, MHP_DEADLINE_STEP_FACTOR, default_step_ms);
	if (!boot)
		snprintf(ret->why, sizeof(ret->why), "boot %u s, step %u s: %s (no boot of this kernel measured here yet)",
			 ret->boot_ms / 1000, ret->step_ms / 1000, given_boot_ms || given_step_ms ? "given" : "defaults");
	else
		snprintf(ret->why, sizeof(ret->why), "boot %u s%s, step %u s%s: this kernel booted in %.1f s here "
			 "(x%d and x%d, at least %u s and %u s)", ret->boot_ms / 1000, given_boot_ms ? " (given)" : "",
			 ret->step_ms / 1000, given_step_ms ? " (given)" : "", boot / 1000.0, MHP_DEADLINE_BOOT_FACTOR,
			 MHP_DEADLINE_STEP_FACTOR, default_boot_ms / 1000, default_step_ms / 1000);
}

void mhp_deadlines_record(const struct mhp_deadline_key *k, uint64_t boot_ns)
{
	_cleanup_free_ char *key = key_text(k);
	unsigned ms = (unsigned)(boot_ns / 1000000);

	if (!key || ms == 0 || cached_boot_ms(key))
		return;
	_cleanup_free_ char *path = cache_file(key), *dir = mhp_cache_path("boot-times");
	_cleanup_free_ char *data = mhp_xasprintf("%s\n%u\n", key, ms);
	/* A cache: failing to fill it only costs the calibration. */
	if (mhp_mkdir_p(dir, 0755) == 0)
		mhp_write_file_atomic(path, data, strlen(data));
}
