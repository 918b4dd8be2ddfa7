#!/bin/bash
# bench/baseline.sh: time `rmm baseline create` on a synthetic library
# against its peer, `git ls-tree -r HEAD` plus `sha256sum` of the same
# Markdown files, in the same run.
#
# usage: bench/baseline.sh [DOCS [COMMITS]]   (default 10000 200)
#
# The corpus (gencorpus.py; set GENCORPUS to its path) is made to satisfy
# baseline create's preconditions the way a user would: measures get a
# target, rmm.yaml requires the owner's approval of every controlled kind,
# each owner approves their documents with `rmm approve` and commits them.
# Then each command runs RUNS times (default 3) and the best time counts.
set -euo pipefail
DOCS=${1:-10000}
COMMITS=${2:-200}
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GENCORPUS=${GENCORPUS:-/work/shared/bench/gencorpus.py}
# BENCH_WORK=DIR keeps the prepared corpus in DIR and reuses it next time.
if [ -n "${BENCH_WORK:-}" ]; then
	WORK=$BENCH_WORK
	mkdir -p "$WORK"
else
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT
fi

# RMM_BIN=PATH measures that rmm binary instead of this tree's.
if [ -n "${RMM_BIN:-}" ]; then
	cp "$RMM_BIN" "$WORK/rmm"
else
	go build -o "$WORK/rmm" "$ROOT/cmd/rmm"
fi
RMM=$WORK/rmm
export HOME=$WORK GIT_CONFIG_NOSYSTEM=1
if [ ! -d "$WORK/lib" ]; then
python3 "$GENCORPUS" "$WORK/lib" "$DOCS" "$COMMITS" >/dev/null
cd "$WORK/lib"
git config user.name Bench
git config user.email bench@example.org

printf 'approvals:\n  policy: [owner]\n  plan: [owner]\n  standard: [owner]\n  process: [owner]\n' >> rmm.yaml
find docs/measure -name '*.md' -exec sed -i 's/^kind: measure$/kind: measure\ntarget: 90/' {} +
git commit -qam 'measure targets, approval rules'
for who in $(grep -rhoE '^owner: [^ ]+' docs/policy docs/plan docs/standard docs/process | sort -u | cut -d' ' -f2); do
	ids=$(grep -rlE "^owner: $who\$" docs/policy docs/plan docs/standard docs/process | xargs -n1 basename | sed 's/\.md$//')
	# shellcheck disable=SC2086
	"$RMM" approve --by "$who" $ids >/dev/null
	git commit -qam "approvals of $who" --author "$who <$who>"
done
fi
cd "$WORK/lib"
controlled=$(find docs/policy docs/plan docs/standard docs/process -name '*.md' | wc -l)

ns() { date +%s%N; }
best() { # best NAME CMD...: runs CMD RUNS times, prints the best seconds
	local b=""
	for i in $(seq "$RUNS"); do
		local t0 t1
		t0=$(ns)
		"$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
		t1=$(ns)
		local d=$(( t1 - t0 ))
		if [ -z "$b" ] || [ "$d" -lt "$b" ]; then b=$d; fi
	done
	echo "$b"
}
n=0
# The baselines a run creates are deleted when it ends, so that every run
# of a prepared corpus (BENCH_WORK) sees the same number of baselines:
# create and verify read every baseline tag.
create() { n=$((n + 1)); "$RMM" baseline create "bench-$$-$n"; }
# shellcheck disable=SC2317
dropOwn() { git tag -l "baseline/bench-$$-*" | xargs -r git tag -d >/dev/null; }
trap 'dropOwn; [ -n "${BENCH_WORK:-}" ] || rm -rf "$WORK"' EXIT
baselines=$(git tag -l 'baseline/*' | wc -l)
peer() { git ls-tree -r HEAD --name-only | grep '\.md$' | xargs -d '\n' sha256sum >/dev/null; }

peer_ns=$(best peer)
check_ns=$(best "$RMM" check)
create_ns=$(best create)
verify_ns=$(best "$RMM" baseline verify "bench-$$-1")

sec() { awk -v n="$1" 'BEGIN { printf "%.3f s", n / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
echo "corpus: $DOCS documents ($controlled controlled and approved), $(git rev-list --count HEAD) commits, $(du -sh docs | cut -f1) of Markdown, $baselines baselines before the run; best of $RUNS"
echo "peer  git ls-tree -r HEAD + sha256sum:   $(sec "$peer_ns")"
echo "rmm   baseline create (check included): $(sec "$create_ns")   ratio $(ratio "$create_ns" "$peer_ns")"
echo "rmm   check alone:                      $(sec "$check_ns")   ratio $(ratio "$check_ns" "$peer_ns")"
echo "rmm   baseline create minus check:      $(sec $((create_ns - check_ns)))   ratio $(ratio $((create_ns - check_ns)) "$peer_ns")"
echo "rmm   baseline verify:                  $(sec "$verify_ns")   ratio $(ratio "$verify_ns" "$peer_ns")"
