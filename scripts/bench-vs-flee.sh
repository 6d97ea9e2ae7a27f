#!/usr/bin/env bash
# bench-vs-flee.sh — time Caravan (--compat flee) against the Python simulator Flee on one
# validation case, and compare their headline error (ARD).
#
# Usage:
#   FLEE_DIR=/path/to/flee-checkout scripts/bench-vs-flee.sh <case> [runs]
#
#   <case>  car | burundi | ssudan | mali (resolved under ../shared/peer-cases/flee relative to
#           the repository root), or a path to a case folder holding input/, validation/ and
#           simsetting.yml.
#   [runs]  number of runs of each tool (default 1). Runs alternate: Caravan 1, Flee 1, Caravan 2, ...
#
# Environment:
#   FLEE_DIR      (required) a checkout of github.com/djgroen/flee (runscripts/run.py, flee/flee.py).
#                 Flee is not part of this repository and is never built or copied into it.
#   FLEE_PYTHON   python for Flee (default /usr/bin/python3, else python3 on PATH). It needs numpy,
#                 pandas and yaml (Debian: python3-numpy python3-pandas python3-networkx python3-yaml).
#   SEED_BASE     Caravan run k uses --seed SEED_BASE+k (default 0, i.e. seeds 1..runs).
#                 Flee is unseeded: its runs differ from each other.
#   SKIP_CARAVAN=1 / SKIP_FLEE=1   run only one of the two tools.
#   KEEP=1        keep the scratch folder (outputs, timings) instead of deleting it.
#   FLEE_STDERR   file to receive Flee's stderr (default /dev/null; it is very large).
#
# Each run is timed with GNU time (/usr/bin/time -v): wall-clock seconds and maximum RSS (and
# user+sys CPU seconds, which stay meaningful when other work shares the cores).
# ARD = (1/T) sum_t sum_c |sim_c(t) - data_c(t)| / max(1, sum_c data_c(t)) over the camps.
# For Caravan it is read from <outdir>/summary.json field "ard" (or, failing that, computed from
# <outdir>/out.csv); for Flee it is computed from Flee's out.csv (its stdout).
set -uo pipefail

die() { echo "bench-vs-flee: error: $*" >&2; exit 2; }
say() { echo "bench-vs-flee: $*" >&2; }

usage() {
  sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
case "$1" in -h|--help) usage ;; esac

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || die "cannot find the repository root"
CASE_ARG=$1
RUNS=${2:-1}
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "runs must be a positive integer, got '$RUNS'"
SEED_BASE=${SEED_BASE:-0}
[[ "$SEED_BASE" =~ ^[0-9]+$ ]] || die "SEED_BASE must be a non-negative integer, got '$SEED_BASE'"
SKIP_CARAVAN=${SKIP_CARAVAN:-0}
SKIP_FLEE=${SKIP_FLEE:-0}
FLEE_STDERR=${FLEE_STDERR:-/dev/null}

# ---- case ---------------------------------------------------------------------------------
if [ -d "$CASE_ARG" ] && [ -d "$CASE_ARG/input" ]; then
  CASE_DIR=$(cd "$CASE_ARG" && pwd)
elif [ -d "$ROOT/../shared/peer-cases/flee/$CASE_ARG" ]; then
  CASE_DIR=$(cd "$ROOT/../shared/peer-cases/flee/$CASE_ARG" && pwd)
else
  die "case '$CASE_ARG' not found (neither a folder with input/ nor $ROOT/../shared/peer-cases/flee/$CASE_ARG)"
fi
for f in input/locations.csv input/routes.csv input/sim_period.csv validation/data_layout.csv simsetting.yml; do
  [ -e "$CASE_DIR/$f" ] || die "case folder $CASE_DIR lacks $f"
done

# ---- tools --------------------------------------------------------------------------------
TIME_BIN=/usr/bin/time
[ -x "$TIME_BIN" ] && "$TIME_BIN" -v true >/dev/null 2>&1 \
  || die "GNU time is needed at $TIME_BIN (Debian: apt-get install time)"

if [ -n "${FLEE_PYTHON:-}" ]; then
  PYTHON=$FLEE_PYTHON
elif [ -x /usr/bin/python3 ]; then
  PYTHON=/usr/bin/python3
else
  PYTHON=$(command -v python3) || die "python3 not found (set FLEE_PYTHON)"
fi
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 8)' 2>/dev/null \
  || die "'$PYTHON' is not a working python >= 3.8 (set FLEE_PYTHON)"
PYTHON=$(command -v "$PYTHON")

if [ "$SKIP_FLEE" != 1 ]; then
  [ -n "${FLEE_DIR:-}" ] || die "FLEE_DIR is not set. Point it at a checkout of https://github.com/djgroen/flee, e.g.
    git clone https://github.com/djgroen/flee /work/flee && FLEE_DIR=/work/flee $0 $*"
  [ -d "$FLEE_DIR" ] || die "FLEE_DIR=$FLEE_DIR is not a folder"
  [ -f "$FLEE_DIR/runscripts/run.py" ] && [ -f "$FLEE_DIR/flee/flee.py" ] \
    || die "FLEE_DIR=$FLEE_DIR does not look like a Flee checkout (expected runscripts/run.py and flee/flee.py)"
  FLEE_DIR=$(cd "$FLEE_DIR" && pwd)
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-vs-flee.XXXXXX") || die "mktemp failed"
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then say "scratch folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- Flee set-up: no-op stand-in for beartype (Debian does not package it) ---------------------
if [ "$SKIP_FLEE" != 1 ]; then
  mkdir -p "$WORK/stub/beartype"
  cat > "$WORK/stub/beartype/__init__.py" <<'EOF'
"""No-op stand-in for beartype: beartype(f) returns f unchanged."""
def beartype(func=None, **kwargs):
    if func is None:
        return lambda f: f
    return func
EOF
  echo 'from typing import *  # noqa: F401,F403' > "$WORK/stub/beartype/typing.py"
  FLEE_PYTHONPATH="$FLEE_DIR:$WORK/stub"
  if ! err=$(cd "$WORK" && PYTHONPATH="$FLEE_PYTHONPATH" "$PYTHON" -c \
      'import numpy, pandas, yaml, flee.flee, flee.moving, flee.spawning, flee.InputGeography, flee.postprocessing.analysis' 2>&1); then
    echo "$err" | tail -5 >&2
    die "Flee cannot be imported with $PYTHON and PYTHONPATH=$FLEE_PYTHONPATH (needs numpy, pandas, yaml: apt-get install python3-numpy python3-pandas python3-networkx python3-yaml)"
  fi
  if FLEE_COMMIT=$(git -C "$FLEE_DIR" rev-parse HEAD 2>/dev/null); then
    [ -z "$(git -C "$FLEE_DIR" status --porcelain --untracked-files=no 2>/dev/null)" ] || FLEE_COMMIT="$FLEE_COMMIT (with local changes)"
  else
    FLEE_COMMIT="unknown (not a git checkout)"
  fi
fi

# ---- Caravan build --------------------------------------------------------------------------
if [ "$SKIP_CARAVAN" != 1 ]; then
  command -v go >/dev/null || die "go not found on PATH (needed to build Caravan)"
  say "building caravan (go build ./cmd/caravan) ..."
  if ! (cd "$ROOT" && go build -o "$WORK/caravan" ./cmd/caravan) >"$WORK/build.log" 2>&1; then
    tail -20 "$WORK/build.log" >&2
    die "go build -o <tmp>/caravan ./cmd/caravan failed in $ROOT (set SKIP_CARAVAN=1 to time Flee only)"
  fi
  CARAVAN_COMMIT=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo "no commit (or not a git repo)")
  [ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] || CARAVAN_COMMIT="$CARAVAN_COMMIT (with local changes)"
fi

# ---- helpers -----------------------------------------------------------------------------
# time_of FILE -> "wall_seconds max_rss_mb cpu_seconds" from GNU time -v output (cpu = user + sys)
time_of() {
  awk '
    /Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; wall = s }
    /Maximum resident set size \(kbytes\)/ { rss = $NF / 1024 }
    /User time \(seconds\)|System time \(seconds\)/ { cpu += $NF; seen = 1 }
    END { if (wall == "") wall = "nan"; if (rss == "") rss = "nan"; if (!seen) cpu = "nan"
          printf "%s %s %s\n", wall, rss, cpu }' "$1" 2>/dev/null || echo "nan nan nan"
}

# ard_of_csv FILE -> ARD computed from a Flee-format out.csv ("<c> sim" / "<c> data" columns)
ard_of_csv() {
  "$PYTHON" - "$1" <<'EOF' 2>/dev/null || echo nan
import csv, sys
rows = [r for r in csv.reader(open(sys.argv[1], newline="")) if r]
h, body = rows[0], rows[1:]
col = {n: i for i, n in enumerate(h)}
camps = [n[:-4] for n in h if n.endswith(" sim") and n[:-4] + " data" in col]
if not body or not camps:
    sys.exit(1)
tot = 0.0
for r in body:
    s = [float(r[col[c + " sim"]]) for c in camps]
    d = [float(r[col[c + " data"]]) for c in camps]
    tot += sum(abs(a - b) for a, b in zip(s, d)) / max(1.0, sum(d))
print("%.6f" % (tot / len(body)))
EOF
}

# ard_of_summary FILE -> the "ard" field of a JSON file
ard_of_summary() {
  "$PYTHON" - "$1" <<'EOF' 2>/dev/null || echo nan
import json, sys
v = json.load(open(sys.argv[1]))["ard"]
print("%.6f" % float(v))
EOF
}

RESULTS="$WORK/results.tsv"
: > "$RESULTS"
FAILED=0

run_caravan() {
  local k=$1 seed=$((SEED_BASE + $1)) out="$WORK/caravan-run$1" rc ard status=ok wall rss cpu
  mkdir -p "$out"
  say "caravan run $k/$RUNS (seed $seed) ..."
  "$TIME_BIN" -v -o "$WORK/caravan-run$k.time" \
    "$WORK/caravan" run --compat flee --force --seed "$seed" --out "$out" "$CASE_DIR" \
    >"$WORK/caravan-run$k.stdout" 2>"$WORK/caravan-run$k.stderr"
  rc=$?
  read -r wall rss cpu < <(time_of "$WORK/caravan-run$k.time")
  if [ $rc -ne 0 ]; then
    status="FAILED(rc=$rc)"; ard=nan; FAILED=1
    say "caravan run $k failed (exit $rc); last lines of its stderr:"
    tail -5 "$WORK/caravan-run$k.stderr" | sed 's/^/    /' >&2
  elif [ -f "$out/summary.json" ]; then
    ard=$(ard_of_summary "$out/summary.json")
    if [ "$ard" = nan ] && [ -f "$out/out.csv" ]; then ard=$(ard_of_csv "$out/out.csv"); status="ok(ard from out.csv)"; fi
    [ "$ard" != nan ] || status="ok(no ard in summary.json)"
  elif [ -f "$out/out.csv" ]; then
    ard=$(ard_of_csv "$out/out.csv"); status="ok(no summary.json; ard from out.csv)"
  else
    ard=nan; status="ok(no summary.json)"
  fi
  printf 'caravan\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$wall" "$rss" "$ard" "$status" "$cpu" >> "$RESULTS"
}

run_flee() {
  local k=$1 dir="$WORK/flee-run$1" rc ard status=ok lines wall rss cpu
  mkdir -p "$dir"
  say "flee run $k/$RUNS ..."
  # Flee reads location_changes.csv from, and writes its logs into, the current folder.
  (cd "$dir" && PYTHONPATH="$FLEE_PYTHONPATH" "$TIME_BIN" -v -o "$WORK/flee-run$k.time" \
    "$PYTHON" "$FLEE_DIR/runscripts/run.py" "$CASE_DIR/input" "$CASE_DIR/validation" 0 "$CASE_DIR/simsetting.yml" \
    > "$dir/out.csv" 2>"$FLEE_STDERR")
  rc=$?
  read -r wall rss cpu < <(time_of "$WORK/flee-run$k.time")
  lines=$(wc -l < "$dir/out.csv" 2>/dev/null || echo 0)
  if [ $rc -ne 0 ] || [ "$lines" -lt 2 ]; then
    status="FAILED(rc=$rc, $lines lines)"; ard=nan; FAILED=1
    say "flee run $k failed; rerun by hand with stderr visible: cd $dir && PYTHONPATH=$FLEE_PYTHONPATH $PYTHON $FLEE_DIR/runscripts/run.py $CASE_DIR/input $CASE_DIR/validation 0 $CASE_DIR/simsetting.yml"
  else
    ard=$(ard_of_csv "$dir/out.csv")
  fi
  printf 'flee\t%s\t%s\t%s\t%s\t%s\t%s\n' "$k" "$wall" "$rss" "$ard" "$status" "$cpu" >> "$RESULTS"
}

# ---- header --------------------------------------------------------------------------------
echo "case:        $CASE_DIR"
echo "runs:        $RUNS of each tool, alternating"
echo "machine:     $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
echo "python:      $PYTHON ($("$PYTHON" -c 'import sys; print(sys.version.split()[0])'))"
if [ "$SKIP_FLEE" != 1 ]; then
  echo "flee:        $FLEE_DIR @ $FLEE_COMMIT"
  echo "flee deps:   $(cd "$WORK" && "$PYTHON" -c 'import numpy, pandas, yaml; print("numpy", numpy.__version__, "pandas", pandas.__version__, "yaml", yaml.__version__)' 2>/dev/null)"
fi
if [ "$SKIP_CARAVAN" != 1 ]; then
  echo "caravan:     $ROOT @ $CARAVAN_COMMIT ($(go version | awk '{print $3}'))"
fi
echo

# ---- runs ----------------------------------------------------------------------------------
for k in $(seq 1 "$RUNS"); do
  [ "$SKIP_CARAVAN" = 1 ] || run_caravan "$k"
  [ "$SKIP_FLEE" = 1 ] || run_flee "$k"
done

# ---- table ---------------------------------------------------------------------------------
"$PYTHON" - "$RESULTS" <<'EOF'
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def f(x, fmt):
    try:
        v = float(x)
        return "n/a" if v != v else fmt % v
    except ValueError:
        return "n/a"
print("%-8s %4s %10s %12s %9s  %-10s %s" % ("tool", "run", "wall s", "max RSS MB", "ARD", "cpu s", "status"))
for tool, run, wall, rss, ard, status, cpu in rows:
    print("%-8s %4s %10s %12s %9s  %-10s %s" % (tool, run, f(wall, "%.2f"), f(rss, "%.0f"), f(ard, "%.4f"), f(cpu, "%.2f"), status))
def walls(tool):
    out = []
    for t, _, w, _, _, status, _ in rows:
        if t == tool and status.startswith("ok"):
            try:
                if float(w) == float(w):
                    out.append(float(w))
            except ValueError:
                pass
    return out
fw, cw = walls("flee"), walls("caravan")
print()
if fw and cw:
    mf, mc = statistics.median(fw), statistics.median(cw)
    ratio = "%.1fx" % (mf / mc) if mc > 0 else "n/a (caravan below the 0.01 s timer resolution)"
    print("median wall time: flee %.2f s, caravan %.2f s; median ratio flee/caravan = %s" % (mf, mc, ratio))
else:
    print("median wall-time ratio flee/caravan: n/a (needs at least one successful run of each)")
EOF

exit $FAILED
