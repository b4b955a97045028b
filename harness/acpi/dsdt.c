#include "acpi/dsdt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define QEMU_PXM_BODY "Return (MPXM (_UID))"
#define DEFINITION_REVISION "\"BXPC    \", 0x"

/* Replaces len bytes at off of *text with with (text is reallocated). */
static void splice(char **text, size_t off, size_t len, const char *with)
{
	size_t tail = strlen(*text + off + len), wl = strlen(with);
	char *out = mhp_xcalloc(off + wl + tail + 1, 1);

	memcpy(out, *text, off);
	memcpy(out + off, with, wl);
	memcpy(out + off + wl, *text + off + len, tail + 1);
	free(*text);
	*text = out;
}

static int patch_slot(char **text, unsigned slot, int pxm, char *err, size_t errsize)
{
	char device[32], body[32];
	const char *dev, *method, *ret, *next;

	snprintf(device, sizeof(device), "Device (MP%02X)", slot);
	if (!(dev = strstr(*text, device))) {
		snprintf(err, errsize, "QEMU's DSDT has no '%s' (fewer slots than the topology?)", device);
		return -1;
	}
	next = strstr(dev + 1, "Device (");
	method = strstr(dev, "Method (_PXM, 0");
	ret = method ? strstr(method, QEMU_PXM_BODY) : NULL;
	if (!ret || (next && ret > next)) {
		snprintf(err, errsize, "'%s' in QEMU's DSDT has no '%s' in its _PXM", device, QEMU_PXM_BODY);
		return -1;
	}
	snprintf(body, sizeof(body), "Return (0x%02X)", (unsigned)pxm);
	splice(text, (size_t)(ret - *text), strlen(QEMU_PXM_BODY), body);
	return 0;
}

char *mhp_dsdt_patch(const char *dsl, const int *slot_pxm, unsigned nslots, unsigned rev, char *err, size_t errsize)
{
	char *text = mhp_xstrdup(dsl), revision[16];
	const char *def = strstr(text, "DefinitionBlock (\"\", \"DSDT\"");
	const char *at = def ? strstr(def, DEFINITION_REVISION) : NULL;

	if (!at || strcspn(at, ")") < strlen(DEFINITION_REVISION) + 8) {
		snprintf(err, errsize, "no DSDT DefinitionBlock with OEM table ID \"BXPC    \"");
		free(text);
		return NULL;
	}
	snprintf(revision, sizeof(revision), "%08X", rev);
	splice(&text, (size_t)(at - text) + strlen(DEFINITION_REVISION), 8, revision);
	for (unsigned i = 0; i < nslots; i++) {
		if (slot_pxm[i] >= 0 && patch_slot(&text, i, slot_pxm[i], err, errsize) < 0) {
			free(text);
			return NULL;
		}
	}
	return text;
}
