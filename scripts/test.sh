#!/usr/bin/env bash
# Runs every test Caravan has: vet, then the unit, golden, conformance and
# integration tests. This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v go >/dev/null 2>&1; then
	echo "test.sh: Go is not installed (https://go.dev/dl/)" >&2
	exit 1
fi
go vet ./...
# -count=1: never reuse cached results; the shared peer cases live outside
# the module and the cache would not see them change.
go test -count=1 -timeout 45m ./...

# Ensembles on a real one-node Slurm (job array, merge job, byte-for-byte
# comparison with a local ensemble). Installs slurm-wlm and munge with
# apt-get when run as root; prints a SKIP line and passes otherwise.
timeout 1800 scripts/slurm-test.sh

# The workbench (caravan serve) driven in Debian's Chromium by playwright-core:
# open, pick the example, run, chart, map, slider, event source, compare, a
# 150-place case; also checks web/dist is what web/src builds to. Installs
# chromium with apt-get when run as root; prints a SKIP line and passes
# where Chromium cannot be installed.
timeout 1500 scripts/web-e2e.sh
