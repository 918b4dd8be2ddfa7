#!/usr/bin/env bash
# Measures rmm serve's edit-to-reload latency: the time from saving a
# document to the "reload" event that open pages receive (the rebuild of the
# site included), over RUNS edits (default 10); prints each, the median and
# the max, against issue 13's target for the median: <= 150 ms at 10,000
# documents, <= 50 ms for the example library.
#
#   bench/serve.sh [LIBRARY_DIR]
#
# Without LIBRARY_DIR it serves a fresh `rmm init --example` library. With
# one (e.g. the 10,000-document corpus of bench/build.sh), it edits one of
# its policies and puts the file back at the end. The real `rmm serve` runs
# as a separate process, checks and all, as a user would run it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=${RUNS:-10}
tmp=$(mktemp -d /tmp/rmm-serve-bench.XXXXXX)
pid=""
cleanup() {
	if [[ -n $pid ]]; then kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# RMM_BIN=PATH measures that rmm binary instead of this tree's (say, an
# older commit's, for a before and after in the same hour).
(cd "$root" && go build -o "$tmp/servebench" ./bench/servebench)
if [[ -n ${RMM_BIN:-} ]]; then
	cp "$RMM_BIN" "$tmp/rmm"
else
	(cd "$root" && go build -o "$tmp/rmm" ./cmd/rmm)
fi

lib=${1:-}
target=150ms
if [[ -z $lib ]]; then
	target=50ms
	lib=$tmp/example
	"$tmp/rmm" init --example "$lib" >/dev/null
fi
lib=$(cd "$lib" && pwd)

doc=$(grep -rl --include='*.md' '^kind: policy' "$lib" | grep -v '/\.' | sort | sed -n 1p)
if [[ -z $doc ]]; then
	echo "serve.sh: no policy document in $lib" >&2
	exit 1
fi
id=$(sed -n 's/^id: *//p' "$doc" | sed -n 1p)

start=$(date +%s.%N)
"$tmp/rmm" -C "$lib" serve --addr 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
for _ in $(seq 1 6000); do
	if grep -q '^Built ' "$tmp/serve.out"; then break; fi
	if ! kill -0 "$pid" 2>/dev/null; then cat "$tmp/serve.err" >&2; exit 1; fi
	sleep 0.1
done
if ! grep -q '^Built ' "$tmp/serve.out"; then
	echo "serve.sh: the first build did not finish" >&2
	cat "$tmp/serve.err" >&2
	exit 1
fi
url=$(sed -n 's|^Serving .* at \(http://[^ ]*\)/ (Ctrl+C to stop)$|\1|p' "$tmp/serve.out")
docs=$(grep -rl --include='*.md' '^id: ' "$lib" | grep -vc '/\.' || true)
echo "library: $lib ($docs documents); edited: ${doc#"$lib"/} -> $url/doc/$id.html"
echo "first build: $(grep '^Built ' "$tmp/serve.out")"

"$tmp/servebench" -url "$url" -file "$doc" -page "doc/$id.html" -n "$runs" -target "$target"
echo "server's own lines:"
grep '^Rebuilt ' "$tmp/serve.out" | sed 's/^/  /' | tail -n "$runs"
