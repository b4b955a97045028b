/* A failed run's signature: the one line a campaign deduplicates on.  A
 * kernel splat gives its syzkaller-style title ("WARNING in offline_pages");
 * an oracle mismatch the first failing check's fields, with step indexes,
 * block ids, addresses and sizes taken out ("block N zone expected Movable
 * observed Normal", "unplug: outcome expected removed observed refused");
 * a run the harness could not
 * finish its phase and kind ("boot: guest silent").  A failure of the
 * harness's own tools or files (setup: iasl, the run directory) is no
 * kernel finding: the campaign stops on it. */
#ifndef MHP_FUZZ_SIGNATURE_H
#define MHP_FUZZ_SIGNATURE_H

#include <stddef.h>

#include "model/result.h"

enum mhp_sig_kind {
	MHP_SIG_NONE = 0, /* the run passed (or scored nothing and erred nowhere) */
	MHP_SIG_SPLAT,    /* the kernel's console has a splat */
	MHP_SIG_ORACLE,   /* the kernel disagreed with the oracle */
	MHP_SIG_HARNESS,  /* the run could not finish: timeout, silent guest, QEMU died */
	MHP_SIG_INFRA,    /* mhp's own tools or files failed: not the kernel's doing */
};

#define MHP_SIG_MAX 160

/* The signature of res into buf (at most MHP_SIG_MAX bytes with the NUL);
 * returns its kind. */
enum mhp_sig_kind mhp_signature(const struct mhp_result *res, char *buf, size_t size);
const char *mhp_sig_kind_name(enum mhp_sig_kind k);

/* Numbers out of s, in place: a word of digits or a 0x-hex number becomes
 * "N" ("block 32" -> "block N"), so that occurrences compare equal; words
 * that merely hold digits (DMA32, dimm0) stay.  In a check's expected and
 * observed values only the node ids of a check about nodes stay. */
void mhp_sig_normalise(char *s);

#endif
