#!/bin/sh
# bench/check.sh: time `rmm check` on a generated corpus against Hugo
# rendering the same corpus, measured in the same run.
#
#   bench/check.sh [DIR] [RUNS]
#
# DIR defaults to a temporary folder filled by ../shared/bench/gencorpus.py
# with 10,000 documents and one commit (GENCORPUS=path overrides the script).
# For each tool it prints the fastest wall time of RUNS runs (default 3),
# its CPU time (user+sys), peak RSS, ns of wall time per document, and the
# ratio rmm/hugo. Needs python3 (for the corpus), GNU time at /usr/bin/time
# and hugo (apt-get install -y hugo); without hugo only rmm is measured.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
dir=${1:-}
runs=${2:-3}
gencorpus=${GENCORPUS:-$top/../shared/bench/gencorpus.py}
docs=10000
if [ -z "$dir" ]; then
	dir=${TMPDIR:-/tmp}/rmm-bench-corpus-10000-1
	if [ ! -f "$dir/rmm.yaml" ]; then
		rm -rf "$dir.tmp"
		python3 "$gencorpus" "$dir.tmp" $docs 1 >/dev/null
		mv "$dir.tmp" "$dir"
	fi
fi
docs=$(cd "$dir" && git ls-files '*.md' | wc -l)
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$top" && go build -o "$bin/rmm" ./cmd/rmm)

# measure NAME CMD...: the fastest of $runs runs; prints "wall cpu rss".
measure() {
	best=""
	i=0
	while [ $i -lt "$runs" ]; do
		/usr/bin/time -f '%e %U %S %M' -o "$bin/t" "$@" >/dev/null 2>&1 || true
		line=$(tail -1 "$bin/t")
		wall=${line%% *}
		if [ -z "$best" ] || awk "BEGIN{exit !($wall < ${best%% *})}"; then best=$line; fi
		i=$((i + 1))
	done
	echo "$best" | awk '{printf "%s %.2f %d\n", $1, $2 + $3, $4}'
}

rmm=$(measure "$bin/rmm" -C "$dir" check)
printf 'documents %s (%s)\n' "$docs" "$dir"
printf 'rmm check   wall %ss  cpu %ss  rss %s KiB  %s ns/doc\n' \
	$(echo "$rmm" | awk -v n="$docs" '{print $1, $2, $3, int($1 * 1e9 / n)}')
if command -v hugo >/dev/null 2>&1; then
	site=$(mktemp -d)
	cp -r "$top/../shared/bench/hugo-site/hugo.toml" "$top/../shared/bench/hugo-site/layouts" "$site/"
	cp -r "$dir/." "$site/"
	hugo=$(cd "$site" && measure hugo --quiet -d "$site/out")
	rm -rf "$site"
	printf 'hugo build  wall %ss  cpu %ss  rss %s KiB  %s ns/doc\n' \
		$(echo "$hugo" | awk -v n="$docs" '{print $1, $2, $3, int($1 * 1e9 / n)}')
	printf 'ratio rmm/hugo  wall %s  cpu %s\n' \
		$(awk -v a="$rmm" -v b="$hugo" 'BEGIN{split(a, x, " "); split(b, y, " "); printf "%.2f %.2f", x[1] / y[1], x[2] / y[2]}')
fi
