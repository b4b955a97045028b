#!/usr/bin/env bash
# Gate a memory-hotplug-touching kernel series in CI: copy this file (or
# call it from a checkout of mhp) in a job that has the kernel tree checked
# out with history.  It installs what mhp needs, builds mhp, and runs
#   mhp gate --src TREE --baseline BASE --candidate CANDIDATE [TOPOLOGY...]
# Exit status is mhp gate's: 0 pass, 1 blocked, 2 bad input, 4 nothing
# compared (the baseline did not build or boot).
#
# Environment (all optional):
#   MHP_DIR       mhp checkout (default: the directory above this script)
#   MHP_TREE      kernel tree (default: the current directory)
#   MHP_BASELINE  baseline revision (default: the merge base with origin/HEAD,
#                 else HEAD~1); GitLab/GitHub variables are used when set
#   MHP_CANDIDATE candidate revision, series directory or patch (default HEAD)
#   MHP_RESULTS   where results go (default: ./mhp-results, keep as artifact)
# Arguments are passed to mhp gate (topology files, --config FRAGMENT, ...).
set -euo pipefail

mhp_dir=${MHP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
tree=${MHP_TREE:-$PWD}
results=${MHP_RESULTS:-$PWD/mhp-results}

baseline=${MHP_BASELINE:-${CI_MERGE_REQUEST_DIFF_BASE_SHA:-${GITHUB_BASE_SHA:-}}}
if [[ -z $baseline ]]; then
	baseline=$(git -C "$tree" merge-base HEAD origin/HEAD 2>/dev/null || git -C "$tree" rev-parse HEAD~1)
fi
candidate=${MHP_CANDIDATE:-$(git -C "$tree" rev-parse HEAD)}

"$mhp_dir/ci/install-deps"
make -C "$mhp_dir" all

echo "mhp gate: baseline $baseline, candidate $candidate, tree $tree"
status=0
"$mhp_dir/build/mhp" gate --src "$tree" --baseline "$baseline" --candidate "$candidate" \
	--results "$results" "$@" || status=$?

# The table in the job's summary page, where the CI has one.
summary=$(ls -d "$results"/*-gate 2>/dev/null | tail -n 1)
if [[ -n ${GITHUB_STEP_SUMMARY:-} && -n $summary && -f $summary/gate.txt ]]; then
	{ echo '```'; cat "$summary/gate.txt"; echo '```'; } >>"$GITHUB_STEP_SUMMARY"
fi
exit "$status"
