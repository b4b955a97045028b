/* What the report's HTML files share: element helpers over libxml2's tree
 * (text and attribute values are escaped when the tree is serialized). */
#ifndef MHP_HTML_INTERNAL_H
#define MHP_HTML_INTERNAL_H

#include <libxml/tree.h>

#include "lib/util.h"
#include "model/result.h"
#include "model/topology.h"

/* <name class="cls"> under parent (cls may be NULL). */
xmlNodePtr mhp_h_el(xmlNodePtr parent, const char *name, const char *cls);
/* The same holding text. */
xmlNodePtr mhp_h_text(xmlNodePtr parent, const char *name, const char *cls, const char *text);
/* An attribute from a format. */
void mhp_h_attr(xmlNodePtr n, const char *name, const char *fmt, ...) MHP_FORMAT(3, 4);

/* The memory map of t (and, with r, the grid of r's blocks by step) as an
 * <svg> under parent. */
void mhp_html_map(xmlNodePtr parent, const struct mhp_topology *t, const struct mhp_result *r);

/* One topology's section: map, failed checks, splat, checks by step, logs
 * (their links relative to rel, the run directory as seen from the page). */
void mhp_html_run(xmlNodePtr body, const struct mhp_topology *t, const struct mhp_result *r, const char *rel);

/* A gate's or a campaign's own summary, when dir holds gate.json or
 * campaign.json (nothing otherwise). */
void mhp_html_dir_summary(xmlNodePtr body, const char *dir);

#endif
