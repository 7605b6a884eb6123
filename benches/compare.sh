#!/usr/bin/env bash
# parlor beside Hugo on one synthetic blog, as issue 7 measures it.
#
#   benches/compare.sh [POSTS] [RUNS]        default: 10000 posts, 5 runs
#   SCALING=1 benches/compare.sh             also the 10x corpus (100,000 posts)
#
# Generates the corpora with ../shared/bench/gen_corpus.py (layouts parlor
# and hugo: the same posts; parlor's also has ~5 comments a post), installs
# Hugo, hyperfine and GNU time from Debian if missing, then prints medians
# of RUNS runs, the two tools run alternately, and peak memory.
set -euo pipefail

POSTS=${1:-10000}
RUNS=${2:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
GEN=${GEN_CORPUS:-$ROOT/../shared/bench/gen_corpus.py}
WORK=${BENCH_DIR:-/tmp/parlor-bench}
PARLOR=$ROOT/target/release/parlor

need() { # command, Debian package
  command -v "$1" >/dev/null 2>&1 && return
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}
need hugo hugo
need hyperfine hyperfine
[ -x /usr/bin/time ] || need /usr/bin/time time

(cd "$ROOT" && cargo build --release --quiet)
mkdir -p "$WORK"

corpus() { # layout, posts
  local dir=$WORK/$1-$2
  [ -d "$dir/content" ] || python3 "$GEN" --posts "$2" --out "$dir" --layout "$1" >/dev/null
  echo "$dir"
}

median_of() { python3 -c 'import json,sys,statistics as s; r=json.load(open(sys.argv[1]))["results"]; print(" ".join("%.3f" % s.median(x["times"]) for x in r))' "$1"; }

# Peak resident memory in MB, median of 3 runs of a command.
peak_mb() {
  local runs=() i
  for i in 1 2 3; do
    eval "$PREP" >/dev/null 2>&1 || true
    runs+=("$(/usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p | awk '{printf "%.0f", $1/1024}'
}

measure() { # posts
  local p h; p=$(corpus parlor "$1"); h=$(corpus hugo "$1")
  local pb="$PARLOR --root $p --quiet build" hb="hugo --quiet -s $h"
  # Warm-up: both outputs exist, page cache holds the sources.
  $pb >/dev/null; $PARLOR --root "$p" --quiet build >/dev/null; $hb >/dev/null
  # Cold: no parlor cache (each tool rewrites its existing output folder).
  hyperfine -N --style none --runs "$RUNS" --export-json "$WORK/cold.json" \
    --prepare "rm -rf $p/.parlor/cache" "$pb" --prepare "true" "$hb" >/dev/null
  read -r p_cold h_cold < <(median_of "$WORK/cold.json")
  PREP="rm -rf $p/.parlor/cache"; p_mem=$(peak_mb $PARLOR --root "$p" --quiet build)
  PREP="true"; h_mem=$(peak_mb hugo --quiet -s "$h")
  # Nothing changed: parlor with its cache, against Hugo's (only) build.
  $pb >/dev/null
  hyperfine -N --style none --runs "$RUNS" --export-json "$WORK/warm.json" "$pb" >/dev/null
  read -r p_warm < <(median_of "$WORK/warm.json")
  echo "$1 $p_cold $h_cold $p_mem $h_mem $p_warm"
}

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(hugo version | cut -d' ' -f1-2); parlor $($PARLOR --version | cut -d' ' -f2); medians of $RUNS runs"
read -r n p_cold h_cold p_mem h_mem p_warm < <(measure "$POSTS")
comments=$(find "$WORK/parlor-$POSTS/content/comments" -name '*.md' | wc -l)

# Live reload: save one post, time until the reload event reaches a tab.
# The builds above leave the disk writing back; let it settle first.
sync; sleep 2
serve_ms=$(python3 "$ROOT/benches/reload_latency.py" "$PARLOR" "$WORK/parlor-$POSTS" 9)

moderation=$(cd "$ROOT" && cargo bench --quiet --bench moderation 2>/dev/null | grep -o 'median [0-9.]* s' | awk '{print $2}')

printf '\n%-58s %10s %10s %7s %8s\n' "what ($n posts, $comments comments)" parlor hugo ratio target
printf '%-58s %9ss %9ss %7s %8s\n' "cold full build (no cache), wall" "$p_cold" "$h_cold" "$(ratio "$p_cold" "$h_cold")" "<= 0.25"
printf '%-58s %8sMB %8sMB %7s %8s\n' "cold full build, peak memory" "$p_mem" "$h_mem" "$(ratio "$p_mem" "$h_mem")" "<= 0.25"
printf '%-58s %9ss %9ss %7s %8s\n' "rebuild, nothing changed (parlor cached vs Hugo build)" "$p_warm" "$h_cold" "$(ratio "$p_warm" "$h_cold")" "<= 0.10"
printf '%-58s %8sms %10s %7s %8s\n' "serve: save one post -> reload event (median of 9)" "$serve_ms" "-" "-" "< 100"
printf '%-58s %9ss %10s %7s %8s\n' "moderation rules over 100,000 comments" "$moderation" "-" "-" "< 1"

if [ "${SCALING:-0}" = 1 ]; then
  big=$((POSTS * 10))
  read -r _ b_cold _ b_mem _ _ < <(RUNS=1 measure "$big")
  printf '%-58s %9ss %10s %7s %8s\n' "scaling: $big posts, cold, time vs $POSTS" "$b_cold" "-" "$(ratio "$b_cold" "$p_cold")x" "<= 11x"
  printf '%-58s %8sMB %10s %7s %8s\n' "scaling: $big posts, peak memory vs $POSTS" "$b_mem" "-" "$(ratio "$b_mem" "$p_mem")x" "<= 8x"
fi
