/* libFuzzer target: the topology parser (json-c, locator, validation), and
 * for every input it accepts, the writer: what it writes must validate and
 * parse back to the same struct. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/topology.h"

static void round_trip(const struct mhp_topology *t)
{
	struct mhp_topology back;
	char *text = NULL, err[512], what[256];

	if (mhp_topology_validate(t, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "a parsed topology does not validate: %s\n", err);
		abort();
	}
	if (mhp_topology_write(t, &text) < 0 || mhp_topology_parse(&back, "written.json", text, err, sizeof(err)) < 0) {
		fprintf(stderr, "the written topology does not parse: %s\n%s\n", err, text ? text : "");
		abort();
	}
	if (!mhp_topology_equal(t, &back, what, sizeof(what))) {
		fprintf(stderr, "the written topology parses to another: %s\n%s\n", what, text);
		abort();
	}
	mhp_topology_release(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct mhp_topology t;

	memcpy(text, data, size);
	text[size] = '\0';
	if (mhp_topology_parse(&t, "fuzz.json", text, err, sizeof(err)) == 0) {
		round_trip(&t);
		mhp_topology_release(&t);
	}
	free(text);
	return 0;
}
