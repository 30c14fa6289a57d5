#!/usr/bin/env bash
# Group coordinator figures of a release `strata serve`, over the wire, with simulated members
# (tests/examples/group_rebalance): for a 100-member group on a 1,000-partition topic, the time
# from a membership change (initial join, one member joining, one leaving) to a stable
# assignment in the consumer protocol (KIP-848) and in the classic protocol, then coordinator
# heartbeat throughput and latency. A benchmark, not a test: it prints figures and fails only
# when a group never becomes stable.
#
# The node runs with
#   group.initial.rebalance.delay.ms=0       classic: no wait for more members of a new group
#   group.consumer.min.heartbeat.interval.ms and group.consumer.heartbeat.interval.ms = $BENCH_HEARTBEAT_MS
#                                             (Kafka's bounds: >= 1; defaults 5000)
# and the classic members heartbeat every $BENCH_HEARTBEAT_MS too, so both protocols learn of a
# change at the same pace.
#
# Env: BENCH_RUNS (default 2; a fresh node per run), BENCH_HEARTBEAT_MS (default 100),
#      BENCH_SKIP_BUILD=1. Extra arguments go to the bench program (--members N, --partitions N,
#      --load-seconds S, --load-connections 1,100).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/strata-node.sh
source "$ROOT/scripts/lib/strata-node.sh"
RUNS="${BENCH_RUNS:-2}"
HB="${BENCH_HEARTBEAT_MS:-100}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  cargo build --release -p strata-tools
  cargo build --release -p strata-tests --example group_rebalance
fi
export STRATA_BIN="${STRATA_BIN:-$TARGET/release/strata}"
BENCH="$TARGET/release/examples/group_rebalance"
[[ -x "$BENCH" ]] || { echo "bench program not found at $BENCH" >&2; exit 1; }
trap 'strata_stop' EXIT

echo "bench-groups: $RUNS runs, a fresh node each; heartbeat interval $HB ms; $(nproc) cores shared by broker and members"
for run in $(seq "$RUNS"); do
  STRATA_LOG_LEVEL=warn strata_start auto.create.topics.enable=false \
    group.initial.rebalance.delay.ms=0 \
    "group.consumer.min.heartbeat.interval.ms=$HB" \
    "group.consumer.heartbeat.interval.ms=$HB"
  echo
  echo "== run $run of $RUNS"
  "$BENCH" --bootstrap "$STRATA_BOOTSTRAP" --broker-pid "$STRATA_PID" --classic-heartbeat-ms "$HB" "$@"
  echo "  broker RSS after the run: $(awk '/^VmRSS:/ {print $2 " " $3}' "/proc/$STRATA_PID/status")"
  strata_stop
done
