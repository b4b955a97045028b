/* libFuzzer target: the guest channel's line splitter, line parser and
 * report model, with untrusted bytes from the guest. */
#include <stdint.h>

#include "guest/guest-report.h"
#include "guest/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mhp_line_splitter s = MHP_LINE_SPLITTER_INIT;
	struct mhp_guest_report r = MHP_GUEST_REPORT_INIT;
	size_t off = 0;

	while (off < size) {
		const char *line;
		int err;

		off += mhp_line_splitter_feed(&s, (const char *)data + off, size - off, &line, &err);
		if (!line)
			continue;
		struct mhp_wire_msg m = MHP_WIRE_MSG_INIT;
		if (mhp_wire_msg_parse(&m, line) == 0) {
			unsigned long long v;
			(void)mhp_wire_get_u64(&m, "id", &v);
			(void)mhp_guest_report_add(&r, &m);
		}
		mhp_wire_msg_release(&m);
	}
	if (r.nblocks)
		(void)mhp_guest_report_block(&r, r.blocks[0].id);
	(void)mhp_guest_report_memtotal_kb(&r, 0);
	mhp_guest_report_release(&r);
	return 0;
}
