#!/usr/bin/env bash
# Times repo.LoadHistory (no cache) against its peer, git's own
# `git log --name-status --no-merges --format=%H`, over the same history, in
# the same run, and prints wall time, peak RSS and the ratio.
#
#   bench/history.sh [CORPUS_DIR]
#
# CORPUS_DIR (a working tree or a bare repository) defaults to
# /tmp/rmm-bench-corpus; when it holds no repository
# the reference corpus is generated there first (gencorpus.py DIR 10000 20000,
# about a minute; kept for the next run). Environment: RUNS (default 3; the
# best run of each side counts, runs alternate between the two), DOCS and
# COMMITS for the corpus size, GENCORPUS (path of gencorpus.py), VERIFY=1 to
# also compare every path's list with git's.
set -euo pipefail

corpus=${1:-/tmp/rmm-bench-corpus}
runs=${RUNS:-3}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
gen=${GENCORPUS:-}
if [[ -z $gen ]]; then
	for g in "$here/gencorpus.py" "$root/../shared/bench/gencorpus.py" /work/shared/bench/gencorpus.py; do
		if [[ -f $g ]]; then gen=$g; break; fi
	done
fi

if [[ ! -d $corpus/.git && ! -f $corpus/HEAD ]]; then
	[[ -n $gen ]] || { echo "history.sh: gencorpus.py not found; set GENCORPUS" >&2; exit 2; }
	echo "generating corpus in $corpus (${DOCS:-10000} docs, ${COMMITS:-20000} commits)..." >&2
	python3 "$gen" "$corpus" "${DOCS:-10000}" "${COMMITS:-20000}"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/historybench" ./bench/historybench)

timer=()
if [[ -x /usr/bin/time ]]; then timer=(/usr/bin/time -f "%e %M" -o "$tmp/time"); fi

# run NAME CMD...: runs CMD, appends "seconds maxrss_kb" to $tmp/NAME.
run() {
	local name=$1
	shift
	if ((${#timer[@]})); then
		"${timer[@]}" "$@" >"$tmp/out"
		read -r secs kb <"$tmp/time"
	else
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >"$tmp/out"
		t1=$(date +%s.%N)
		secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
		kb=0
	fi
	if [[ $name == rmm ]]; then
		# The program's own figures: LoadHistory alone, and getrusage.
		secs=$(awk '$1 == "seconds" {print $2}' "$tmp/out")
		[[ $kb != 0 ]] || kb=$(awk '$1 == "maxrss_kb" {print $2}' "$tmp/out")
	fi
	echo "$secs $kb" >>"$tmp/$name"
}

gitdir=$corpus/.git
[[ -d $gitdir ]] || gitdir=$corpus # a bare repository
for ((i = 0; i < runs; i++)); do
	run git git --git-dir "$gitdir" log --name-status --no-merges --format=%H
	run rmm "$tmp/historybench" "$gitdir"
done
if [[ ${VERIFY:-} == 1 ]]; then
	"$tmp/historybench" -verify "$gitdir" | grep verify
fi

best() { sort -n "$tmp/$1" | sed -n 1p; }
read -r gs gk < <(best git)
read -r rs rk < <(best rmm)
commits=$(git --git-dir "$gitdir" rev-list --count HEAD)
paths=$(awk '$1 == "paths" {print $2}' "$tmp/out")
printf 'corpus   %s: %s commits, %s paths\n' "$corpus" "$commits" "$paths"
awk -v gs="$gs" -v gk="$gk" -v rs="$rs" -v rk="$rk" -v n="$runs" 'BEGIN {
	if (gk > 0) gm = sprintf("%7.0f MB", gk / 1024); else gm = "     n/a"
	printf "git log  %6.2f s  %s peak RSS  (--name-status --no-merges, best of %d)\n", gs, gm, n
	printf "rmm      %6.2f s  %7.0f MB peak RSS  (repo.LoadHistory, no cache, best of %d)\n", rs, rk / 1024, n
	if (gk > 0) mem = sprintf("%.2f x git memory", rk / gk); else mem = "memory not measured"
	printf "ratio    %6.2f x git time, %s\n", rs / gs, mem
}'
