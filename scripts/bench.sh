#!/usr/bin/env bash
# Benchmark ekslint over a corpus of manifests, in one run:
#   1. the release `ekslint` (JSON to /dev/null) against its parse-only floor (`ekslint __parse-only`:
#      the same discovery, every file read and run through saphyr-parser's events, nothing built);
#   2. with --peers, checkov (--framework kubernetes) and yamllint (-d relaxed), each on the files
#      it reads;
#   3. a 10x copy of the corpus in a temporary directory (time <= 11x, memory flat?);
#   4. thread scaling, RAYON_NUM_THREADS=1 against 2 (JSON, and the default human report), and the
#      machine's own ceiling for it: two one-thread runs at once against one alone.
# It prints files/s, MB/s, peak memory (GNU time) and the ratios. Timings come from hyperfine, run in
# alternating rounds; ratios are of medians (of means beside them).
#
# Usage: scripts/bench.sh [--peers] [--install] [--runs N] [--no-10x] [CORPUS]
#   CORPUS     default: ../shared/corpus next to the repository (or $EKSLINT_BENCH_CORPUS)
#   --peers    also time checkov and yamllint (found on PATH or in the benchmark virtualenv)
#   --install  install what is missing: hyperfine with apt-get (Debian/Ubuntu, needs root), and
#              with --peers checkov and yamllint from PyPI into a virtualenv
#              ($EKSLINT_BENCH_VENV, default target/bench-venv)
#   --runs N   hyperfine runs per command (default 20; the 10x corpus and peers run fewer)
#   --no-10x   skip the 10x corpus (it needs about 10x the corpus size in $TMPDIR)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=${EKSLINT_BENCH_CORPUS:-$repo/../shared/corpus}
venv=${EKSLINT_BENCH_VENV:-$repo/target/bench-venv}
peers=0
install=0
runs=20
tenx=1
while [ $# -gt 0 ]; do
  case "$1" in
    --peers) peers=1 ;;
    --install) install=1 ;;
    --runs) runs=$2; shift ;;
    --no-10x) tenx=0 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
    *) corpus=$1 ;;
  esac
  shift
done

say() { printf '\n== %s\n' "$*"; }

if ! command -v hyperfine >/dev/null; then
  if [ $install = 1 ]; then
    apt-get update && apt-get install -y hyperfine
  else
    echo "bench.sh: hyperfine is not installed." >&2
    echo "  Debian/Ubuntu: apt-get update && apt-get install -y hyperfine   (or rerun with --install)" >&2
    echo "  elsewhere:     cargo install --locked hyperfine" >&2
    exit 2
  fi
fi
if [ ! -x /usr/bin/time ] || ! /usr/bin/time -v true >/dev/null 2>&1; then
  echo "bench.sh: GNU time (/usr/bin/time -v) is needed for peak memory: apt-get install -y time" >&2
  exit 2
fi
if ! command -v python3 >/dev/null; then
  echo "bench.sh: python3 is needed (to merge the timing rounds): apt-get install -y python3" >&2
  exit 2
fi
if [ ! -d "$corpus" ]; then
  echo "bench.sh: no corpus at $corpus (pass a directory of manifests)" >&2
  exit 2
fi
corpus=$(cd "$corpus" && pwd)

say "build"
(cd "$repo" && cargo build --release --locked --quiet)
bin=$repo/target/release/ekslint
work=$(mktemp -d "${TMPDIR:-/tmp}/ekslint-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The machine, for BENCHMARKS.md.
say "machine"
echo "date:   $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:    $(nproc) x $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')"
echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo 2>/dev/null)"
echo "ekslint $("$bin" --version | awk '{print $2}'), $(hyperfine --version)"

# The file set ekslint reads (hidden directories, .git, target, node_modules and .gitignore'd
# files skipped), counted by the floor itself.
read -r files bytes < <("$bin" __parse-only "$corpus" | awk '{print $1, $3}')
all_files=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | wc -l)
echo "corpus: $corpus"
echo "        $files files, $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB linted ($all_files .yaml/.yml/.json files in all, hidden directories included)"

# seconds of command $2 in hyperfine CSV $1: mean, median, fastest
mean() { awk -F, -v n="$2" 'NR > 1 && $1 == n {print $2}' "$1"; }
median() { awk -F, -v n="$2" 'NR > 1 && $1 == n {print $4}' "$1"; }
minimum() { awk -F, -v n="$2" 'NR > 1 && $1 == n {print $7}' "$1"; }
# Times commands against each other in alternating rounds, so that a machine that drifts (a
# virtual one, a neighbour's load) slows every command alike, not the one that happened to run
# then: `rounds CSV RUNS -n NAME CMD -n NAME CMD...` runs hyperfine 5 times with RUNS/5 runs of
# each command, and writes the statistics over every run to CSV in hyperfine's columns.
rounds() {
  local csv=$1 n=$2 r
  shift 2
  local per=$(( (n + 4) / 5 ))
  for r in 1 2 3 4 5; do
    hyperfine -N -i --style none --warmup 1 --runs "$per" --export-json "$csv.$r.json" "$@" >/dev/null
  done
  python3 - "$csv" "$csv".*.json <<'PY'
import json, statistics, sys
runs = {}
for f in sys.argv[2:]:
    for r in json.load(open(f))["results"]:
        t = runs.setdefault(r["command"], ([], [], []))
        t[0].extend(r["times"]); t[1].extend(r.get("user_times") or []); t[2].extend(r.get("system_times") or [])
with open(sys.argv[1], "w") as out:
    out.write("command,mean,stddev,median,user,system,min,max\n")
    for name, (times, user, system) in runs.items():
        m = statistics.mean
        out.write(f"{name},{m(times)},{statistics.stdev(times) if len(times) > 1 else 0},{statistics.median(times)},"
                  f"{m(user) if user else 0},{m(system) if system else 0},{min(times)},{max(times)}\n")
        print(f"  {name:12s} mean {m(times)*1000:7.1f} ms  median {statistics.median(times)*1000:7.1f} ms  "
              f"min {min(times)*1000:7.1f} ms  max {max(times)*1000:7.1f} ms  ({len(times)} runs)")
PY
  # (not left in $work, which the 10x run lints)
  rm -f "$csv".*.json
}
# peak resident memory in MB of a command: the highest of 3 runs (which files the workers happen
# to parse at the same time moves it by a few MB from run to run)
peak() {
  for _ in 1 2 3; do
    { /usr/bin/time -v "$@" 2>&1 >/dev/null || true; } | awk '/Maximum resident set size/ {print $6}'
  done | sort -n | tail -1 | awk '{printf "%.1f", $1/1024}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
# the ratio of the means of commands $2 and $3 in CSV $1
by_mean() { ratio "$(mean "$1" "$2")" "$(mean "$1" "$3")"; }
rate() { awk -v n="$1" -v t="$2" 'BEGIN{printf "%.0f", n/t}'; }
mbps() { awk -v n="$1" -v t="$2" 'BEGIN{printf "%.1f", n/1e6/t}'; }

say "ekslint against its parse-only floor ($runs runs each, in 5 alternating rounds)"
rounds "$work/main.csv" "$runs" \
  -n parse-only "$bin __parse-only $corpus" \
  -n ekslint "$bin --format json --output /dev/null $corpus"
# Medians decide (the machine this was written on, a 2-vCPU virtual one, swings 15-20% from run
# to run); means are printed beside them.
t_floor=$(median "$work/main.csv" parse-only)
t_lint=$(median "$work/main.csv" ekslint)
m_floor=$(peak "$bin" __parse-only "$corpus")
m_lint=$(peak "$bin" --format json --output /dev/null "$corpus")

say "thread scaling (RAYON_NUM_THREADS=1 against 2, in 5 alternating rounds)"
rounds "$work/threads.csv" "$runs" \
  -n floor-1 "env RAYON_NUM_THREADS=1 $bin __parse-only $corpus" \
  -n floor-2 "env RAYON_NUM_THREADS=2 $bin __parse-only $corpus" \
  -n ekslint-1 "env RAYON_NUM_THREADS=1 $bin --format json --output /dev/null $corpus" \
  -n ekslint-2 "env RAYON_NUM_THREADS=2 $bin --format json --output /dev/null $corpus" \
  -n human-1 "env RAYON_NUM_THREADS=1 $bin --output /dev/null $corpus" \
  -n human-2 "env RAYON_NUM_THREADS=2 $bin --output /dev/null $corpus" \
  -n pair-1 "sh -c 'RAYON_NUM_THREADS=1 $bin --format json --output /dev/null $corpus & RAYON_NUM_THREADS=1 $bin --format json --output /dev/null $corpus; wait'"
t1=$(median "$work/threads.csv" ekslint-1)
# The machine's own ceiling for this work: two independent one-thread runs at once. On a virtual
# machine whose two vCPUs share a host core or its caches, each runs slower beside the other, and
# no program can scale further than 2 x (one alone) / (two at once).
tp=$(median "$work/threads.csv" pair-1)
h1=$(median "$work/threads.csv" human-1)
h2=$(median "$work/threads.csv" human-2)
t2=$(median "$work/threads.csv" ekslint-2)
f1=$(median "$work/threads.csv" floor-1)
f2=$(median "$work/threads.csv" floor-2)

if [ $tenx = 1 ]; then
  say "10x corpus (copied to $work)"
  for i in 0 1 2 3 4 5 6 7 8 9; do cp -r "$corpus" "$work/copy$i"; done
  read -r files10 _ < <("$bin" __parse-only "$work" | awk '{print $1, $3}')
  hyperfine -N -i --warmup 1 --runs 3 --export-csv "$work/tenx.csv" \
    -n ekslint-10x "$bin --format json --output /dev/null $work"
  t10=$(median "$work/tenx.csv" ekslint-10x)
  m10=$(peak "$bin" --format json --output /dev/null "$work")
  # The floor's own growth: the sorted list of every file found (a lint run holds it too).
  m10_floor=$(peak "$bin" __parse-only "$work")
  for i in 0 1 2 3 4 5 6 7 8 9; do rm -rf "$work/copy$i"; done
fi

if [ $peers = 1 ]; then
  say "peers"
  if [ $install = 1 ] && { [ ! -x "$venv/bin/checkov" ] || [ ! -x "$venv/bin/yamllint" ]; }; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet checkov yamllint
  fi
  export PATH="$venv/bin:$PATH"
  # One run each (they take minutes), under GNU time for their peak memory: sets peer_t, peer_m.
  peer() {
    local name=$1
    shift
    hyperfine -N -i --runs 1 --export-csv "$work/$name.csv" \
      -n "$name" "/usr/bin/time -v -o $work/$name.time $*"
    peer_t=$(mean "$work/$name.csv" "$name")
    peer_m=$(awk '/Maximum resident set size/ {printf "%.1f", $6/1024}' "$work/$name.time")
  }
  if command -v yamllint >/dev/null; then
    # yamllint reads every .yaml/.yml file (hidden directories too) unless its config ignores it.
    yfiles=$(yamllint --list-files -d relaxed "$corpus" | wc -l)
    peer yamllint yamllint -d relaxed -f parsable "$corpus"
    t_yaml=$peer_t
    m_yaml=$peer_m
  else
    echo "yamllint not found: pip install yamllint (or rerun with --peers --install)"
  fi
  if command -v checkov >/dev/null; then
    # checkov skips hidden directories, as ekslint does: the same file set. About 10 minutes.
    peer checkov checkov --framework kubernetes --quiet --compact -d "$corpus"
    t_checkov=$peer_t
    m_checkov=$peer_m
  else
    echo "checkov not found: pip install checkov (or rerun with --peers --install)"
  fi
fi

say "results"
printf '%-24s %9s %10s %8s %10s %s\n' tool "time (s)" "files/s" "MB/s" "peak (MB)" "ratio"
printf '%-24s %9.3f %10s %8s %10s %s\n' "parse-only floor" "$t_floor" "$(rate "$files" "$t_floor")" "$(mbps "$bytes" "$t_floor")" "$m_floor" "1.00"
printf '%-24s %9.3f %10s %8s %10s %s\n' "ekslint" "$t_lint" "$(rate "$files" "$t_lint")" "$(mbps "$bytes" "$t_lint")" "$m_lint" "$(ratio "$t_lint" "$t_floor")x the floor (target <= 1.5; by mean $(by_mean "$work/main.csv" ekslint parse-only), fastest runs $(ratio "$(minimum "$work/main.csv" ekslint)" "$(minimum "$work/main.csv" parse-only)"))"
if [ -n "${t_yaml:-}" ]; then
  printf '%-24s %9.3f %10s %8s %10s %s\n' "yamllint -d relaxed" "$t_yaml" "$(rate "$yfiles" "$t_yaml")" "-" "$m_yaml" \
    "$(ratio "$(rate "$files" "$t_lint")" "$(rate "$yfiles" "$t_yaml")")x slower per file than ekslint (target >= 200; $yfiles files)"
fi
if [ -n "${t_checkov:-}" ]; then
  printf '%-24s %9.3f %10s %8s %10s %s\n' "checkov kubernetes" "$t_checkov" "$(rate "$files" "$t_checkov")" "-" "$m_checkov" \
    "$(ratio "$t_checkov" "$t_lint")x slower than ekslint (target >= 1000)"
fi
echo
echo "threads: ekslint $(printf '%.3f' "$t1") s on 1, $(printf '%.3f' "$t2") s on 2: $(ratio "$t1" "$t2")x (target >= 1.7; by mean $(by_mean "$work/threads.csv" ekslint-1 ekslint-2)); floor $(ratio "$f1" "$f2")x (by mean $(by_mean "$work/threads.csv" floor-1 floor-2))"
echo "         the default (human) report: $(printf '%.3f' "$h1") s on 1, $(printf '%.3f' "$h2") s on 2: $(ratio "$h1" "$h2")x (by mean $(by_mean "$work/threads.csv" human-1 human-2))"
echo "         the machine's ceiling: two one-thread runs at once take $(printf '%.3f' "$tp") s, one alone $(printf '%.3f' "$t1") s: at most $(python3 -c "print(f'{2*$t1/$tp:.2f}')")x from a second thread"
if [ $tenx = 1 ]; then
  echo "10x:     $files10 files in $(printf '%.3f' "$t10") s = $(ratio "$t10" "$t_lint")x the time (target <= 11), peak $m10 MB against $m_lint MB (target: flat, <= 64); the floor: $m10_floor MB against $m_floor MB"
fi
