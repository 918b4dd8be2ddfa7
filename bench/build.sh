#!/usr/bin/env bash
# Times `rmm build` against its peers on the same corpus, in one run, and
# prints wall time, CPU time, peak RSS and the ratios the issue sets:
#
#   rmm cold build (no previous site, no history cache)   <= 0.3x hugo's wall time (aim 0.2x)
#   the same, both writing into tmpfs (no disk)            <= 0.25x hugo's wall time
#   rmm peak memory                                        <= 0.3x hugo's
#   rmm rebuild after one more commit                      <= 0.05x rmm's cold build
#     (twice: the first makes rmm's spare of the site, the second uses it)
#   rmm's history pass                                     <= 0.2x git log --name-status --no-merges
#
# (issue 13's targets.) The tmpfs variant writes both sites into
# SHM (default /dev/shm/rmm-build-bench; set SHM= to skip it).
#
#   bench/build.sh [CORPUS_DIR]
#
# CORPUS_DIR defaults to /tmp/rmm-bench-corpus; when it holds no repository
# the reference corpus is generated there first (gencorpus.py DIR 10000
# 20000, kept for the next run). The corpus is copied to a scratch folder
# (BENCH_WORK, default /tmp/rmm-build-bench) so the one more commit and
# hugo's files never touch it. Environment: RUNS (default 1; the best run of
# each step counts), DOCS and COMMITS for the corpus size, GENCORPUS (path of
# gencorpus.py).
set -euo pipefail

corpus=${1:-/tmp/rmm-bench-corpus}
runs=${RUNS:-1}
work=${BENCH_WORK:-/tmp/rmm-build-bench}
shm=${SHM-/dev/shm/rmm-build-bench}
[[ -n $shm && -d $(dirname "$shm") ]] || shm=""
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=""
for s in "$root/../shared/bench" /work/shared/bench; do
	if [[ -f $s/gencorpus.py ]]; then shared=$s; break; fi
done
gen=${GENCORPUS:-$shared/gencorpus.py}

if [[ ! -d $corpus/.git ]]; then
	[[ -f $gen ]] || { echo "build.sh: gencorpus.py not found; set GENCORPUS" >&2; exit 2; }
	echo "generating corpus in $corpus (${DOCS:-10000} docs, ${COMMITS:-20000} commits)..." >&2
	python3 "$gen" "$corpus" "${DOCS:-10000}" "${COMMITS:-20000}"
fi
if ! command -v hugo >/dev/null; then
	echo "installing hugo..." >&2
	apt-get install -y hugo >/dev/null
fi
if [[ ! -x /usr/bin/time ]]; then
	echo "installing GNU time..." >&2
	apt-get install -y time >/dev/null
fi
hugosite=${HUGO_SITE:-$shared/hugo-site}
[[ -f $hugosite/hugo.toml ]] || { echo "build.sh: hugo-site not found; set HUGO_SITE" >&2; exit 2; }

rm -rf "$work"
mkdir -p "$work/out"
# RMM_BIN=PATH measures that rmm binary instead of this tree's.
if [[ -n ${RMM_BIN:-} ]]; then
	cp "$RMM_BIN" "$work/rmm"
else
	(cd "$root" && go build -o "$work/rmm" ./cmd/rmm)
fi
rmm=$work/rmm
cp -a "$corpus" "$work/corpus"
lib=$work/corpus
docs=$(git -C "$lib" ls-files '*.md' | wc -l)
commits=$(git -C "$lib" rev-list --count HEAD)

# measure NAME CMD...: runs CMD in $lib, keeps the best "wall user sys
# maxrss_kb" of NAME's runs in $work/NAME.
measure() {
	local name=$1
	shift
	(cd "$lib" && /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/$name.out" 2>"$work/$name.err") || {
		echo "build.sh: $name failed:" >&2
		tail -5 "$work/$name.err" >&2
		exit 1
	}
	local line
	line=$(tail -1 "$work/time")
	if [[ ! -f $work/$name ]] || awk -v a="$line" -v b="$(cat "$work/$name")" 'BEGIN {split(a, x); split(b, y); exit !(x[1] < y[1])}'; then
		echo "$line" >"$work/$name"
		# The phases of the best run.
		grep '^rmm: trace:' "$work/$name.err" >"$work/$name.trace" || true
	fi
}

# settle: removing thousands of files makes the next thousands of file
# creations on the same disk slow for a while (ext4 with discard); every
# timed step starts after the removals of the previous ones have settled,
# and writes into a folder never used before.
settle() {
	rm -rf "$@"
	sync
	sleep "${SETTLE:-5}"
}

for ((i = 0; i < runs; i++)); do
	# The C limit for the history pass.
	measure gitlog git log --name-status --no-merges --format=%H
	# hugo, as in ../shared/bench/README.md.
	cp "$hugosite/hugo.toml" "$lib/"
	cp -r "$hugosite/layouts" "$lib/"
	settle "$work/out/hugo-$((i - 1))"
	measure hugo hugo --quiet -d "$work/out/hugo-$i"
	rm -rf "$lib/hugo.toml" "$lib/layouts" "$lib/resources" "$lib/.hugo_build.lock"
	# hugo and rmm cold into tmpfs: what is left without the disk.
	if [[ -n $shm ]]; then
		rm -rf "$shm"
		mkdir -p "$shm"
		cp "$hugosite/hugo.toml" "$lib/"
		cp -r "$hugosite/layouts" "$lib/"
		measure hugo_shm hugo --quiet -d "$shm/hugo"
		rm -rf "$lib/hugo.toml" "$lib/layouts" "$lib/resources" "$lib/.hugo_build.lock"
		rm -rf "$lib/.git/rmm"
		measure cold_shm env RMM_TRACE=1 "$rmm" build -o "$shm/rmm"
		rm -rf "$shm"
	fi
	# rmm cold: no previous site, no history cache.
	settle "$work/out/rmm-$((i - 1))" "$lib/.git/rmm"
	measure cold env RMM_TRACE=1 "$rmm" build -o "$work/out/rmm-$i"
	# One more commit, then a rebuild over the previous site.
	f=$(git -C "$lib" ls-files 'docs/lesson/*.md' | awk 'NR == 1')
	echo "Bench edit $i: $(date +%s%N)." >>"$lib/$f"
	git -C "$lib" -c user.name=Bench -c user.email=bench@example.org commit -q -am "Bench: one more commit ($i)"
	settle
	measure rebuild env RMM_TRACE=1 "$rmm" build -o "$work/out/rmm-$i"
	# And one more: from the second rebuild on, rmm updates the site the
	# previous build replaced (its spare) instead of linking every file
	# into a new folder.
	echo "Bench edit $i again: $(date +%s%N)." >>"$lib/$f"
	git -C "$lib" -c user.name=Bench -c user.email=bench@example.org commit -q -am "Bench: one more commit ($i, again)"
	settle
	measure rebuild2 env RMM_TRACE=1 "$rmm" build -o "$work/out/rmm-$i"
done
last=$((runs - 1))

read -r cw cu cs cm <"$work/cold"
read -r rw ru rs rm_ <"$work/rebuild"
read -r r2w r2u r2s r2m <"$work/rebuild2"
read -r hw hu hs hm <"$work/hugo"
read -r gw gu gs gm <"$work/gitlog"
pages=$(grep -o 'built [0-9]* pages' "$work/cold.out" | grep -o '[0-9]*')
changed=$(grep -o '[0-9]* changed' "$work/rebuild.out" | grep -o '[0-9]*')
hpages=$(find "$work/out/hugo-$last" -name '*.html' | wc -l)

echo "corpus: $docs documents, $commits commits ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-44s %8s %8s %8s %8s\n' step wall_s user_s sys_s peak_MB
row() { printf '%-44s %8.2f %8.2f %8.2f %8.0f\n' "$1" "$2" "$3" "$4" "$(awk -v m="$5" 'BEGIN {print m / 1024}')"; }
row "rmm build, cold ($pages pages)" "$cw" "$cu" "$cs" "$cm"
row "rmm build after one commit ($changed changed)" "$rw" "$ru" "$rs" "$rm_"
row "rmm build after one more commit (spare)" "$r2w" "$r2u" "$r2s" "$r2m"
row "hugo ($hpages pages)" "$hw" "$hu" "$hs" "$hm"
row "git log --name-status --no-merges" "$gw" "$gu" "$gs" "$gm"
if [[ -n $shm ]]; then
	read -r tw tu ts tm <"$work/cold_shm"
	read -r uw uu us um <"$work/hugo_shm"
	row "rmm build, cold, into tmpfs" "$tw" "$tu" "$ts" "$tm"
	row "hugo, into tmpfs" "$uw" "$uu" "$us" "$um"
fi
echo "rmm phases (best run), cold:    $(sed 's/^rmm: trace: //' "$work/cold.trace")"
echo "rmm phases (best run), rebuild: $(sed 's/^rmm: trace: //' "$work/rebuild.trace")"
echo "rmm phases (best run), rebuild with the spare: $(sed 's/^rmm: trace: //' "$work/rebuild2.trace")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
echo "ratios:"
echo "  cold build / hugo wall      $(ratio "$cw" "$hw")   (target <= 0.3, aim 0.2)"
if [[ -n $shm ]]; then
	echo "  same, into tmpfs            $(ratio "$tw" "$uw")   (target <= 0.25)"
fi
echo "  cold build / hugo peak RSS  $(ratio "$cm" "$hm")   (target <= 0.3)"
echo "  rebuild / cold build wall   $(ratio "$rw" "$cw")   (target <= 0.05)"
echo "  same, the next rebuild      $(ratio "$r2w" "$cw")   (target <= 0.05)"
hist=$(grep -o 'history [0-9.]*s' "$work/cold.trace" | grep -o '[0-9.]*' || echo 0)
echo "  history pass (cold) / git log wall  $(ratio "$hist" "$gw")   (target <= 0.2)"
