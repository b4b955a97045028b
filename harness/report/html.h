/* report.html: one self-contained page (inline CSS and SVG, no script, no
 * network) for run directories, built with libxml2's HTML tree and
 * serializer, so that every text from the guest, the console or a
 * topology file is escaped by the library, never pasted into markup.
 *
 * Per topology: a memory map (report/html-map.c) with, below it, the
 * block-by-step grid of zones (report/block-grid.h) where a cell the
 * oracle disagreed with is marked, with expected and observed in its
 * tooltip; the failed checks first, a quoted kernel splat, all checks by
 * step, and links to the run's logs. */
#ifndef MHP_HTML_H
#define MHP_HTML_H

#include <stddef.h>

#include "model/topology.h"

/* Writes out (atomically) for the run directories dirs[0..n), each holding
 * result.json and topology.json; links are relative to out's directory.
 * 0, or -errno. */
int mhp_report_html(const char *out, const char *title, char *const dirs[], size_t n);
/* The same under the summary of top (NULL: none): a gate directory's
 * verdict and before/after table, a campaign's signatures, course and
 * reproducers' machines. */
int mhp_report_html_of(const char *out, const char *title, const char *top, char *const dirs[], size_t n);

/* The run directories under dir (a run, results, a gate, a campaign: a
 * crash's first log), sorted, pushed onto out. */
void mhp_report_find_runs(const char *dir, struct mhp_strv *out);
/* dir/report.html of everything under dir; its path, or NULL on failure. */
char *mhp_report_html_dir(const char *dir, const char *title);

/* The memory map of t alone, as a standalone SVG document. */
int mhp_report_svg(const struct mhp_topology *t, char **ret_text);

#endif
