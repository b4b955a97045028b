#include "guest/modules.h"

#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "guest/kernel-image.h"
#include "lib/cleanup.h"

/* virtio_pci binds the virtio-mem-pci device; virtio_mem drives it. */
const char *const mhp_virtio_mem_modules[2] = { "virtio_pci", "virtio_mem" };

/* Deeper than any real dependency chain: a cycle in a broken modules.dep. */
#define MAX_DEPTH 32

void mhp_guest_modules_release(struct mhp_guest_modules *m)
{
	mhp_strv_release(&m->names);
	mhp_strv_release(&m->paths);
}

int mhp_modules_dir(const char *kernel, const char *root, char **ret_dir, char *err, size_t errsize)
{
	char version[256];
	int r = mhp_kernel_probe(kernel, version, sizeof(version));

	if (r < 0) {
		snprintf(err, errsize, "cannot read the release of '%s': %s", kernel, strerror(-r));
		return r;
	}
	version[strcspn(version, " ")] = '\0';
	*ret_dir = mhp_xasprintf("%s/%s", root ? root : "/lib/modules", version);
	return 0;
}

static bool listed(const struct mhp_strv *names, const char *name)
{
	for (size_t i = 0; i < names->n; i++)
		if (!strcmp(names->v[i], name))
			return true;
	return false;
}

/* Depth first: a module's dependencies (modules.dep lists them all) go
 * before it, as modprobe loads them. */
static int add_module(struct kmod_module *m, struct mhp_guest_modules *out, unsigned depth)
{
	const char *name = kmod_module_get_name(m), *path = kmod_module_get_path(m);
	struct kmod_list *deps, *l;
	int r = 0;

	if (!path || listed(&out->names, name))
		return 0; /* built in, or there already */
	if (depth > MAX_DEPTH)
		return -ELOOP;
	deps = kmod_module_get_dependencies(m);
	kmod_list_foreach(l, deps) {
		struct kmod_module *d = kmod_module_get_module(l);

		if (r == 0)
			r = add_module(d, out, depth + 1);
		kmod_module_unref(d);
	}
	kmod_module_unref_list(deps);
	if (r == 0 && !listed(&out->names, name)) {
		mhp_strv_push(&out->names, name);
		mhp_strv_push(&out->paths, path);
	}
	return r;
}

static void unref_ctx(struct kmod_ctx **ctx)
{
	if (*ctx)
		kmod_unref(*ctx);
}

/* One name: a module of modules.dep, a built-in one, or an alias. */
static int resolve_one(struct kmod_ctx *ctx, const char *moddir, const char *name, struct mhp_guest_modules *out,
		       char *err, size_t errsize)
{
	struct kmod_list *found = NULL, *l;
	int r = kmod_module_new_from_lookup(ctx, name, &found);

	if (r == 0 && !found)
		r = -ENOENT;
	kmod_list_foreach(l, found) {
		struct kmod_module *m = kmod_module_get_module(l);

		if (r == 0)
			r = add_module(m, out, 0);
		kmod_module_unref(m);
	}
	kmod_module_unref_list(found);
	if (r < 0) {
		const char *release = strrchr(moddir, '/');
		snprintf(err, errsize, r == -ENOENT ? "no module '%s' for release %s (in %s)"
			 : "module '%s' for release %s (in %s): %s", name, release ? release + 1 : moddir, moddir,
			 strerror(-r));
	}
	return r;
}

int mhp_modules_resolve(const char *moddir, const char *const *names, size_t n, struct mhp_guest_modules *out,
			char *err, size_t errsize)
{
	/* No configuration: the host's modprobe.d says nothing about the guest. */
	static const char *const no_config[] = { NULL };
	_cleanup_(unref_ctx) struct kmod_ctx *ctx = kmod_new(moddir, no_config);
	int r = 0;

	if (!ctx) {
		snprintf(err, errsize, "libkmod cannot open '%s'", moddir);
		return -ENOMEM;
	}
	/* Without its index (modules.dep.bin) libkmod finds nothing: say so. */
	_cleanup_free_ char *index = mhp_xasprintf("%s/modules.dep.bin", moddir);
	if (access(index, R_OK) < 0) {
		r = -errno;
		snprintf(err, errsize, "no modules for this kernel: cannot read '%s': %s", index, strerror(-r));
		return r;
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		r = resolve_one(ctx, moddir, names[i], out, err, errsize);
	return r;
}
