/* libFuzzer target: the QMP message parser, fed in two pieces at a point
 * chosen by the first byte, as reads split messages anywhere. */
#include <stdint.h>
#include <stdlib.h>

#include "guest/qmp.h"

static void feed(struct mhp_qmp_parser *p, const char *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		json_object *msg = NULL;
		int err = 0;

		off += mhp_qmp_parser_feed(p, buf + off, len - off, &msg, &err);
		if (msg && err)
			abort(); /* never both */
		if (msg)
			(void)mhp_qmp_classify(msg);
		json_object_put(msg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mhp_qmp_parser p;
	size_t split;

	if (size < 1 || mhp_qmp_parser_init(&p) < 0)
		return 0;
	split = data[0] % size;
	feed(&p, (const char *)data + 1, split);
	feed(&p, (const char *)data + 1 + split, size - 1 - split);
	mhp_qmp_parser_release(&p);
	return 0;
}
