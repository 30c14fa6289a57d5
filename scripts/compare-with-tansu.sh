#!/usr/bin/env bash
# Strata beside Tansu 0.6 (a Rust Kafka-compatible broker, in-memory engine) on the same machine
# with the same load generator: a fresh broker per run, brokers interleaved run by run, so both
# see the same machine state. A benchmark, not a test: it never fails on a timing.
#
# Tansu's memory engine needs a cargo feature its default install lacks:
#   cargo install tansu@0.6.0 --features dynostore --root /tmp/tansu-install
# Env: TANSU_BIN (default /tmp/tansu-install/bin/tansu), STRATA_BIN (default the release build),
#      COMPARE_RUNS (default 3), COMPARE_ROWS ("all", or "small" for the 100 B acks=all row alone).
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
P="$ROOT/.deps/librdkafka/examples/rdkafka_performance"
PY="$ROOT/.deps/venv/bin/python"
TANSU_BIN="${TANSU_BIN:-/tmp/tansu-install/bin/tansu}"
STRATA_BIN="${STRATA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/strata}"
RUNS="${COMPARE_RUNS:-3}"
ROWS="${COMPARE_ROWS:-all}"
B=127.0.0.1:39092
DATA="$(mktemp -d /tmp/strata-compare.XXXXXX)"
for bin in "$P" "$PY" "$TANSU_BIN" "$STRATA_BIN"; do
  [[ -x "$bin" ]] || { echo "compare-with-tansu: $bin missing (see the header of this script)" >&2; exit 1; }
done
PX=(-X linger.ms=5 -X batch.size=1000000 -X queue.buffering.max.kbytes=1048576 -X queue.buffering.max.messages=10000000)

create_topics() { # one-partition topics p1 and s1, retried while the broker starts
  timeout 30 "$PY" - "$B" <<'PYEOF' >/dev/null 2>&1
import sys, time
from kafka import KafkaAdminClient
for _ in range(100):
    try:
        admin = KafkaAdminClient(bootstrap_servers=sys.argv[1])
        break
    except Exception:
        time.sleep(0.2)
admin.create_topics({t: {"num_partitions": 1, "replication_factor": 1} for t in ("p1", "s1")})
admin.close()
PYEOF
}
start() { # start strata|tansu: sets PID
  rm -rf "$DATA/node"; sync
  if [[ "$1" == strata ]]; then
    "$STRATA_BIN" serve --override log.dirs="$DATA/node" --override listeners=PLAINTEXT://$B,CONTROLLER://127.0.0.1:39093 \
      --override controller.quorum.voters=1@127.0.0.1:39093 >"$DATA/$1.log" 2>&1 &
  else
    "$TANSU_BIN" broker --listener-url tcp://$B --advertised-listener-url tcp://$B --storage-engine memory://tansu/ >"$DATA/$1.log" 2>&1 &
  fi
  PID=$!
  sleep 2
}
pick() { grep "$1" | tail -n 1 | sed -nE "$2"; }

echo "Strata vs Tansu 0.6 (memory engine), $(nproc) cores, fresh broker per run, interleaved"
for run in $(seq "$RUNS"); do
  for broker in strata tansu; do
    start "$broker"
    create_topics
    p=-; c=-
    if [[ "$ROWS" == all ]]; then
      p=$(timeout 120 "$P" -P -t p1 -p 0 -s 1024 -c 1048576 -b $B -a 1 "${PX[@]}" -q 2>&1 | pick "messages produced" 's/.* ([0-9.]+) MB\/s.*/\1/p')
      c=$(timeout 120 "$P" -C -t p1 -p 0 -o beginning -c 1048576 -b $B -q 2>&1 | pick "consumed" 's/.*\(([0-9.]+) MB\/s\).*/\1/p')
    fi
    s=$(timeout 180 "$P" -P -t s1 -p 0 -s 100 -c 10737418 -b $B -a -1 "${PX[@]}" -q 2>&1 | pick "messages produced" 's/.* ([0-9]+) msgs\/s and.*/\1/p')
    rss=$(awk '/^VmHWM:/ {print int($2 / 1024)}' "/proc/$PID/status")
    printf 'run %s %-6s produce 1 KiB acks=1: %8s MB/s  consume 1 GiB: %8s MB/s  100 B acks=all: %8s rec/s  peak RSS: %5s MiB\n' \
      "$run" "$broker" "${p:-?}" "${c:-?}" "${s:-?}" "$rss"
    kill "$PID"; wait "$PID" 2>/dev/null
  done
done
rm -rf "$DATA"
exit 0
