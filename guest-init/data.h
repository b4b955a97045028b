/* Patterned memory that must survive migration off a DIMM: anonymous pages
 * bound to the DIMM's node, and page cache of a tmpfs file created under the
 * same policy.  Every 8-byte word holds a value derived from the seed, the
 * page index and the word index. */
#ifndef MHP_GUEST_DATA_H
#define MHP_GUEST_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "guest-init/channel.h"

struct fill_data {
	unsigned char *anon;    /* anon_pages pages */
	unsigned char *file;    /* file_pages pages, a mapping of /data/fill */
	size_t anon_pages, file_pages;
	uint64_t seed;
};

/* fill NODE START END KIB SEED: kib of data, half anonymous, half tmpfs page
 * cache, bound to node; says how many pages sit in [start, end) and on node.
 * Once only. */
void data_fill(const struct channel *ch, struct fill_data *d, unsigned node, uint64_t start,
	       uint64_t end, size_t kib, uint64_t seed);

/* verify START END: every word of every page, and how many pages still sit
 * in [start, end) (0 once the DIMM is gone). */
void data_verify(const struct channel *ch, const struct fill_data *d, uint64_t start, uint64_t end);

/* corrupt: flips one byte of the data, a debug knob for the harness's own
 * tests: verify must find it. */
void data_corrupt(const struct channel *ch, struct fill_data *d);

#endif
