#!/usr/bin/env bash
# bench/searchsize.sh: the size of the site's search index against the
# size of the Markdown it indexes (issue 12: under 1.5x at 10,000
# documents).
#
#   bench/searchsize.sh [CORPUS_DIR]
#
# CORPUS_DIR defaults to /tmp/rmm-search-corpus; when it holds no
# repository, gencorpus.py (GENCORPUS, default
# /work/shared/bench/gencorpus.py) writes one there first, DOCS documents
# (default 10000) and COMMITS commits (default 200; the history does not
# change the index). Then `rmm build` builds its site into CORPUS_DIR/_site
# (check errors of the synthetic corpus do not stop it) and the script
# prints the bytes of assets/search-index.js, of every tracked .md file,
# and the ratio.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-/tmp/rmm-search-corpus}
DOCS=${DOCS:-10000}
COMMITS=${COMMITS:-200}
GENCORPUS=${GENCORPUS:-/work/shared/bench/gencorpus.py}
if ! git -C "$DIR" rev-parse --git-dir >/dev/null 2>&1; then
	python3 "$GENCORPUS" "$DIR" "$DOCS" "$COMMITS"
fi
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
go build -C "$ROOT" -o "$BIN/rmm" ./cmd/rmm
(cd "$DIR" && "$BIN/rmm" build >"$BIN/build.log" 2>&1) || { tail -5 "$BIN/build.log"; exit 1; }
tail -2 "$BIN/build.log" | head -1
INDEX=$(stat -c %s "$DIR/_site/assets/search-index.js")
MD=$(git -C "$DIR" ls-files -z '*.md' | (cd "$DIR" && xargs -0 cat) | wc -c)
N=$(git -C "$DIR" ls-files '*.md' | wc -l)
awk -v i="$INDEX" -v m="$MD" -v n="$N" 'BEGIN {
	printf "%d documents: Markdown %d bytes (%.1f MB), search index %d bytes (%.1f MB): %.3fx\n", n, m, m/1e6, i, i/1e6, i/m
	if (i >= 1.5*m) { print "over 1.5x"; exit 1 }
}'
