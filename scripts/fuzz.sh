#!/usr/bin/env bash
# Fuzzes every parser and loader of a Flee case for a set time each
# (docs/fuzzing.md). Usage:
#
#   scripts/fuzz.sh [TIME] [FUZZER...]
#
# TIME is a go test -fuzztime value (default 30s; 10000x means that many
# inputs); with no FUZZER every Fuzz* function in internal/flee runs.
# PARALLEL sets the number of fuzzing workers (default 1). Crashers are saved
# by go test under internal/flee/testdata/fuzz/<Fuzzer>/; the summary lists,
# per fuzzer, the inputs executed and whether it failed.
set -euo pipefail
cd "$(dirname "$0")/.."

time=${1:-30s}
shift || true
parallel=${PARALLEL:-1}
pkg=./internal/flee
if [ $# -gt 0 ]; then
	fuzzers=("$@")
else
	mapfile -t fuzzers < <(go test -list '^Fuzz' "$pkg" | grep '^Fuzz')
fi

log=$(mktemp -d)
cleanup=("$log")
# The readers are fuzzed through real files: keep them in memory if we can.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=$(mktemp -d /dev/shm/caravan-fuzz.XXXXXX)
	export TMPDIR
	cleanup+=("$TMPDIR")
fi
trap 'rm -rf "${cleanup[@]}"' EXIT
failed=0
printf '%-24s %14s %8s  %s\n' fuzzer executions crashes result >"$log/summary"
for fz in "${fuzzers[@]}"; do
	echo "== $fz ($time)" >&2
	status=ok
	if ! go test -run='^$' -fuzz="^${fz}\$" -fuzztime="$time" -parallel="$parallel" "$pkg" 2>&1 | tee "$log/$fz" >&2; then
		status=FAILED
		failed=1
	fi
	# The last progress line holds the total, e.g. "fuzz: elapsed: 30s, execs: 123456 (4115/sec), ...".
	execs=$(grep -o 'execs: [0-9]*' "$log/$fz" | tail -1 | grep -o '[0-9]*' || echo 0)
	crashes=0
	[ "$status" = ok ] || crashes=1
	printf '%-24s %14s %8s  %s\n' "$fz" "$execs" "$crashes" "$status" >>"$log/summary"
done
echo >&2
cat "$log/summary"
exit $failed
