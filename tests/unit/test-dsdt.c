/* Regenerating QEMU's DSDT: which _PXM gets rewritten, and what is refused. */
#include <string.h>

#include "testutil.h"
#include "acpi/dsdt.h"

/* The shape of QEMU 7.2's disassembled DSDT around the memory slots. */
static const char qemu_dsdt[] =
	"DefinitionBlock (\"\", \"DSDT\", 1, \"BOCHS \", \"BXPC    \", 0x00000001)\n"
	"{\n"
	"    Device (\\_SB.MHPC)\n"
	"    {\n"
	"        Method (MPXM, 1, NotSerialized)\n"
	"        {\n"
	"        }\n"
	"        Device (MP00)\n"
	"        {\n"
	"            Name (_HID, EisaId (\"PNP0C80\") /* Memory Device */)\n"
	"            Method (_PXM, 0, NotSerialized)  // _PXM: Device Proximity\n"
	"            {\n"
	"                Return (MPXM (_UID))\n"
	"            }\n"
	"        }\n"
	"        Device (MP01)\n"
	"        {\n"
	"            Method (_PXM, 0, NotSerialized)  // _PXM: Device Proximity\n"
	"            {\n"
	"                Return (MPXM (_UID))\n"
	"            }\n"
	"        }\n"
	"        Device (MP02)\n"
	"        {\n"
	"            Name (_UID, \"0x02\")\n"
	"        }\n"
	"        Device (MP03)\n"
	"        {\n"
	"            Method (_PXM, 0, NotSerialized)  // _PXM: Device Proximity\n"
	"            {\n"
	"                Return (MPXM (_UID))\n"
	"            }\n"
	"        }\n"
	"    }\n"
	"}\n";

static void test_patch_one_slot(void **state)
{
	(void)state;
	int pxm[2] = { -1, 5 };
	char err[128];
	char *out = mhp_dsdt_patch(qemu_dsdt, pxm, 2, 2, err, sizeof(err));

	assert_non_null(out);
	assert_non_null(strstr(out, "\"BXPC    \", 0x00000002)"));
	/* MP01 returns the constant; MP00 and MP03 still ask QEMU. */
	const char *mp01 = strstr(out, "Device (MP01)"), *mp02 = strstr(out, "Device (MP02)");
	const char *constant = strstr(out, "Return (0x05)");
	assert_non_null(constant);
	assert_true(constant > mp01 && constant < mp02);
	const char *first = strstr(out, "Return (MPXM (_UID))");
	assert_true(first < mp01);
	assert_non_null(strstr(mp02, "Return (MPXM (_UID))"));
	free(out);
}

struct bad_row {
	const char *name;
	int pxm[4];
	unsigned nslots;
	const char *error;
};

static const struct bad_row bad_rows[] = {
	{ "a slot without _PXM must not borrow the next slot's", { -1, -1, 3, -1 }, 4,
	  "'Device (MP02)' in QEMU's DSDT has no 'Return (MPXM (_UID))' in its _PXM" },
	{ "more slots than QEMU made", { -1, -1, -1, -1 }, 4, NULL },
};

static void test_bad(void **state)
{
	const struct bad_row *row = *state;
	char err[256] = "";
	char *out = mhp_dsdt_patch(qemu_dsdt, row->pxm, row->nslots, 2, err, sizeof(err));

	if (!row->error) {
		assert_non_null(out);
		free(out);
		return;
	}
	assert_null(out);
	assert_string_equal(err, row->error);
}

static void test_missing_slot_device(void **state)
{
	(void)state;
	int pxm[6] = { -1, -1, -1, -1, -1, 1 };
	char err[256];

	assert_null(mhp_dsdt_patch(qemu_dsdt, pxm, 6, 2, err, sizeof(err)));
	assert_string_equal(err, "QEMU's DSDT has no 'Device (MP05)' (fewer slots than the topology?)");
	assert_null(mhp_dsdt_patch("DefinitionBlock (\"\", \"SSDT\", 1, \"X\", \"Y\", 1) {}", pxm, 0, 2, err, sizeof(err)));
	assert_string_equal(err, "no DSDT DefinitionBlock with OEM table ID \"BXPC    \"");
}

int main(void)
{
	static struct test_list l;

	TEST_ONE(&l, test_patch_one_slot);
	TEST_ROWS(&l, test_bad, bad_rows);
	TEST_ONE(&l, test_missing_slot_device);
	return TEST_RUN("dsdt", &l);
}
