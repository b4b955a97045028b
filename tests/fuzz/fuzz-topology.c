/* libFuzzer target: the topology parser (json-c, locator, validation). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/topology.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct mhp_topology t;

	memcpy(text, data, size);
	text[size] = '\0';
	if (mhp_topology_parse(&t, "fuzz.json", text, err, sizeof(err)) == 0)
		mhp_topology_release(&t);
	free(text);
	return 0;
}
