#!/usr/bin/env bash
# Integration test: runs an ensemble as a real Slurm job array on a one-node
# Slurm started on this machine, merges it, and checks that the result files
# equal a local `caravan ensemble` byte for byte.
#
# Needs root (to install slurm-wlm and munge with apt-get and to run the
# daemons); skips with a message otherwise. Every wait is bounded and the
# daemons it starts (munged, slurmctld, slurmd) are stopped on exit, however
# the script ends. Set KEEP=1 to keep the work folder.
#
#   scripts/slurm-test.sh            # from the repository root
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

skip() {
	echo "slurm-test: SKIP: $*"
	exit 0
}
if [ "$(id -u)" != 0 ]; then
	skip "not root (installing Slurm and starting its daemons needs root)"
fi
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
	if ! command -v apt-get >/dev/null; then
		skip "Slurm is not installed and apt-get is not available to install it"
	fi
fi
echo "slurm-test: installing slurm-wlm and munge if needed"
rc=0
scripts/slurm-install.sh || rc=$?
if [ "$rc" = 3 ]; then
	skip "cannot install slurm-wlm"
elif [ "$rc" != 0 ]; then
	echo "slurm-test: FAIL: installing slurm-wlm and munge failed" >&2
	exit 1
fi

WORK=$(mktemp -d /tmp/caravan-slurm.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
	local status=$?
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null || true
	done
	if [ "$status" != 0 ]; then
		echo "slurm-test: FAIL (status $status); logs:" >&2
		for f in "$WORK"/*.log "$WORK"/plan/logs/*; do
			[ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
		done
	fi
	if [ "${KEEP:-}" = 1 ]; then
		echo "slurm-test: work folder kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_for SECONDS DESCRIPTION COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local secs=$1 what=$2
	shift 2
	local end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "slurm-test: timed out after ${secs}s waiting for $what" >&2
			return 1
		fi
		sleep 0.5
	done
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

echo "slurm-test: building caravan"
go build -o "$WORK/caravan" ./cmd/caravan

# MUNGE with its own key, socket and files, run as the munge user
# (key and logs in a private folder, the socket in a world-readable one).
mkdir -p "$WORK/munge" "$WORK/munge-run"
dd if=/dev/urandom of="$WORK/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$WORK/munge"
chmod 755 "$WORK/munge-run"
chmod 400 "$WORK/munge/munge.key"
chown -R munge:munge "$WORK/munge" "$WORK/munge-run" 2>/dev/null || true
SOCK="$WORK/munge-run/munge.socket"
MUNGED=(munged --foreground --socket="$SOCK" --key-file="$WORK/munge/munge.key"
	--pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munged.seed")
if id munge >/dev/null 2>&1; then
	runuser -u munge -- "${MUNGED[@]}" >"$WORK/munged.log" 2>&1 &
else
	"${MUNGED[@]}" --force >"$WORK/munged.log" 2>&1 &
fi
PIDS+=($!)
wait_for 20 "munged" test -S "$SOCK"

# A one-node cluster: this machine, all its CPUs, no cgroups, no accounting.
NODE=$(hostname -s)
CPUS=$(nproc)
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
mkdir -p "$WORK/state" "$WORK/spool"
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=caravantest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MaxArraySize=10001
MailProg=/bin/true
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
echo "slurm-test: starting slurmctld and slurmd (node $NODE, $CPUS CPUs, ports $CTLD_PORT/$SLURMD_PORT)"
slurmctld -D -i -f "$SLURM_CONF" >>"$WORK/slurmctld.log" 2>&1 &
PIDS+=($!)
wait_for 30 "slurmctld" scontrol ping
slurmd -D -N "$NODE" -f "$SLURM_CONF" >>"$WORK/slurmd.log" 2>&1 &
PIDS+=($!)
node_idle() { sinfo -h -n "$NODE" -o %t | grep -qE '^(idle|mix|alloc)$'; }
wait_for 60 "node $NODE to be idle" node_idle

# The ensemble: 12 members of the toy case, one per array task.
CASE="$ROOT/examples/toy-flee"
ARGS=(--runs 12 --days 60 --seed-base 5)
echo "slurm-test: planning and submitting the array job"
"$WORK/caravan" plan "$CASE" "${ARGS[@]}" -o "$WORK/plan" >/dev/null
grep -q '^#SBATCH --array=0-11$' "$WORK/plan/slurm-array.sh"
JOB=$(sbatch --parsable "$WORK/plan/slurm-array.sh")
JOB=${JOB%%;*}
MERGE=$(sbatch --parsable --dependency=afterok:"$JOB" "$WORK/plan/slurm-merge.sh")
MERGE=${MERGE%%;*}
echo "slurm-test: array job $JOB, merge job $MERGE"
job_gone() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
wait_for 300 "array job $JOB" job_gone "$JOB"
wait_for 120 "merge job $MERGE" job_gone "$MERGE"

# Every task ran under Slurm and took its index from SLURM_ARRAY_TASK_ID.
n=$(cat "$WORK"/plan/logs/task-*.out 2>/dev/null | grep -c '"index_from":"SLURM_ARRAY_TASK_ID"' || true)
if [ "$n" != 12 ]; then
	echo "slurm-test: FAIL: $n of 12 array tasks reported success" >&2
	exit 1
fi
test -f "$WORK/plan/manifest.json" || {
	echo "slurm-test: FAIL: the merge job wrote no manifest" >&2
	exit 1
}

echo "slurm-test: running the same ensemble locally"
"$WORK/caravan" ensemble "$CASE" "${ARGS[@]}" -q -o "$WORK/local"
for f in plan.json summary.csv summary.parquet members.csv members.parquet ensemble.json $(cd "$WORK/local" && ls members/*.parquet); do
	cmp "$WORK/plan/$f" "$WORK/local/$f" || {
		echo "slurm-test: FAIL: $f differs between the Slurm and the local ensemble" >&2
		exit 1
	}
done
echo "slurm-test: ok: 12-task Slurm array + merge job equal the local ensemble byte for byte"
