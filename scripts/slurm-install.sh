#!/usr/bin/env bash
# Installs Debian's Slurm (slurm-wlm) and MUNGE for the one-node Slurm
# integration test (scripts/slurm-test.sh). Idempotent: does nothing when
# slurmctld, slurmd, sbatch and munged are already installed. Needs root and
# apt-get; exits 3 without either so the caller can skip.
set -euo pipefail
need() { command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; }
if need; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "slurm-install: not root; cannot install slurm-wlm" >&2
	exit 3
fi
if ! command -v apt-get >/dev/null; then
	echo "slurm-install: apt-get not found; cannot install slurm-wlm" >&2
	exit 3
fi
export DEBIAN_FRONTEND=noninteractive
timeout 900 apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
timeout 1200 apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends slurm-wlm munge >/dev/null
need
