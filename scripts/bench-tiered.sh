#!/usr/bin/env bash
# Tiered-storage figures of a release `strata serve` against a local S3 server (s3s-fs when
# installed, else moto), measured with librdkafka's rdkafka_performance. A benchmark, not a
# test: it prints figures and never fails on a timing.
#
#   1. sustained upload: 1 GiB produced to a tiered topic (16 MiB segments, 1 s local retention);
#      bytes of segment objects landing in the bucket over time, from the first to the last;
#   2. catch-up read from offset 0 of the fully tiered partition after a broker restart (cold
#      chunk cache), once with the default chunk cache (256 MiB) and once with one sized to hold
#      the partition, then again (warm), beside a local read of a same-size untiered topic in
#      the same run;
#   3. time to first record from offset 0 with a cold cache (remote) and from a local topic.
#
# Env: BENCH_BYTES (default 1 GiB), BENCH_SKIP_BUILD=1, BENCH_S3=moto|s3s-fs (default: s3s-fs if
# installed), BENCH_READ_AHEAD_CHUNKS (default 32: remote.log.read.ahead.chunks for the run),
# BENCH_PERF_COLD=<file> (perf record of the broker during the cold read, for profiling).
# The S3 server's own ranged-GET throughput (boto3, 4 MiB ranges, 1 and 4 in flight) is printed
# beside the figures: it bounds what any remote read can reach on this machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/strata-node.sh
source "$ROOT/scripts/lib/strata-node.sh"
PERF="$ROOT/.deps/librdkafka/examples/rdkafka_performance"
PY="$ROOT/.deps/venv/bin/python"
MOTO="$ROOT/.deps/s3/venv/bin/moto_server"
S3S="$ROOT/.deps/s3/bin/s3s-fs"
BYTES="${BENCH_BYTES:-1073741824}"
MSGS=$((BYTES / 1024))
BUCKET=bench
[[ -x "$PERF" && -x "$PY" ]] || { echo "run scripts/install-test-deps.sh first" >&2; exit 1; }
if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  cargo build --release -p strata-tools
fi
export STRATA_BIN="${STRATA_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/strata}"

KIND="${BENCH_S3:-}"
if [[ -z "$KIND" ]]; then
  if [[ -x "$S3S" ]]; then KIND=s3s-fs; else KIND=moto; fi
fi
S3_PORT="$(strata_free_port)"
S3_DIR="$(mktemp -d /tmp/strata-bench-s3.XXXXXX)"
case "$KIND" in
  s3s-fs)
    mkdir -p "$S3_DIR/$BUCKET"
    "$S3S" --host 127.0.0.1 --port "$S3_PORT" --access-key test --secret-key testtest "$S3_DIR" \
      >"$S3_DIR.log" 2>&1 &
    ;;
  moto)
    "$MOTO" -H 127.0.0.1 -p "$S3_PORT" >"$S3_DIR.log" 2>&1 &
    ;;
  *) echo "BENCH_S3 must be moto or s3s-fs" >&2; exit 2 ;;
esac
S3_PID=$!
NODE_DATA=""
cleanup() {
  strata_stop 2>/dev/null || true
  kill "$S3_PID" 2>/dev/null || true
  rm -rf "$S3_DIR" "$S3_DIR.log"
  [[ -n "$NODE_DATA" ]] && rm -rf "$NODE_DATA"
}
trap cleanup EXIT
for _ in $(seq 100); do
  (echo >/dev/tcp/127.0.0.1/"$S3_PORT") 2>/dev/null && break
  sleep 0.1
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$S3_PORT" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1 \
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=testtest
if [[ "$KIND" == moto ]]; then
  curl -fsS -X PUT "$AWS_ENDPOINT_URL/$BUCKET" >/dev/null
fi

# Bytes of .log segment objects in the bucket.
remote_log_bytes() {
  if [[ "$KIND" == s3s-fs ]]; then
    find "$S3_DIR/$BUCKET" -name '*.log' -printf '%s\n' 2>/dev/null | awk '{s+=$1} END {print s+0}'
  else
    "$PY" - "$AWS_ENDPOINT_URL" "$BUCKET" <<'PYEOF'
import re, sys, urllib.parse, urllib.request
url, bucket = sys.argv[1], sys.argv[2]
total, token = 0, None
while True:
    q = "list-type=2" + ("&continuation-token=" + urllib.parse.quote(token, safe="") if token else "")
    body = urllib.request.urlopen(f"{url}/{bucket}?{q}").read().decode()
    for key, size in re.findall(r"<Key>([^<]*)</Key>.*?<Size>(\d+)</Size>", body, re.S):
        if key.endswith(".log"):
            total += int(size)
    m = re.search(r"<NextContinuationToken>([^<]*)</NextContinuationToken>", body)
    if not m:
        break
    token = m.group(1)
print(total)
PYEOF
  fi
}

now_ms() { date +%s%3N; }

NODE_OVERRIDES=(
  "remote.log.storage.url=s3://$BUCKET/bench"
  remote.log.manager.task.interval.ms=200
  log.retention.check.interval.ms=500
  auto.create.topics.enable=false
  "remote.log.read.ahead.chunks=${BENCH_READ_AHEAD_CHUNKS:-32}"
)
# A chunk cache that holds the whole partition, for the warm pass.
BIG_CACHE="remote.log.chunk.cache.total.size.bytes=$((BYTES + BYTES / 2))"
STRATA_LOG_LEVEL=warn strata_start "${NODE_OVERRIDES[@]}"
NODE_DATA="$STRATA_DATA_DIR"

create_topic() { # create_topic <name> <remote.storage.enable>
  "$PY" - "$STRATA_BOOTSTRAP" "$1" "$2" <<'PYEOF'
import sys
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
admin = KafkaAdminClient(bootstrap_servers=sys.argv[1])
configs = {"segment.bytes": str(16 << 20)}
if sys.argv[3] == "true":
    configs.update({"remote.storage.enable": "true", "local.retention.ms": "1000", "retention.ms": "-1"})
admin.create_topics([NewTopic(sys.argv[2], 1, 1, topic_configs=configs)])
admin.close()
PYEOF
}

produce() { # produce <topic>
  "$PERF" -P -t "$1" -p 0 -s 1024 -c "$MSGS" -b "$STRATA_BOOTSTRAP" -a 1 \
    -X linger.ms=5 -X batch.size=1000000 \
    -X queue.buffering.max.kbytes=1048576 -X queue.buffering.max.messages=10000000 -q >/dev/null 2>&1
}

consume_mbs() { # consume_mbs <topic>: MB/s reading every record from offset 0
  local out
  out="$("$PERF" -C -t "$1" -p 0 -o beginning -c "$MSGS" -b "$STRATA_BOOTSTRAP" -q \
    -X fetch.max.bytes=52428800 -X max.partition.fetch.bytes=8388608 2>&1 || true)"
  sed -nE 's/.*consumed in [0-9]+ms: [0-9]+ msgs\/s \(([0-9.]+) MB\/s\).*/\1/p' <<<"$out" | tail -n 1
}

first_record_ms() { # first_record_ms <topic>: ms from assign+seek(0) to the first record
  "$PY" - "$STRATA_BOOTSTRAP" "$1" <<'PYEOF'
import sys, time
from kafka import KafkaConsumer, TopicPartition
c = KafkaConsumer(bootstrap_servers=sys.argv[1], enable_auto_commit=False, group_id=None)
tp = TopicPartition(sys.argv[2], 0)
c.assign([tp]); c.poll(timeout_ms=0)
start = time.monotonic()
c.seek(tp, 0)
while not c.poll(timeout_ms=100, max_records=1):
    pass
print(round((time.monotonic() - start) * 1000, 1))
c.close()
PYEOF
}

echo "bench-tiered: $((BYTES >> 20)) MiB per topic, S3 server: $KIND"
create_topic tiered true
create_topic local false

# 1. upload throughput
produce_start="$(now_ms)"
produce tiered &
PRODUCER=$!
first_ms=""; first_bytes=0
target=$((BYTES - (48 << 20)))   # all but the active segment and batch overhead slack
while :; do
  bytes="$(remote_log_bytes)"
  t="$(now_ms)"
  if [[ -z "$first_ms" && "$bytes" -gt 0 ]]; then first_ms="$t"; first_bytes="$bytes"; fi
  if [[ "$bytes" -ge "$target" ]]; then break; fi
  if (( t - produce_start > 600000 )); then echo "upload did not finish in 10 min ($bytes bytes)"; break; fi
  sleep 0.2
done
wait "$PRODUCER" || true
produce_end_bytes="$bytes"
upload_ms=$(( t - first_ms ))
upload_mbs="$(awk -v b="$((produce_end_bytes - first_bytes))" -v ms="$upload_ms" 'BEGIN {printf "%.0f", b / ms / 1000}')"
total_mbs="$(awk -v b="$produce_end_bytes" -v ms="$((t - produce_start))" 'BEGIN {printf "%.0f", b / ms / 1000}')"
# Let local retention drop the uploaded segments.
sleep 3
local_left="$(find "$STRATA_DATA_DIR/tiered-0" -name '*.log' -printf '%s\n' | awk '{s+=$1} END {printf "%.0f", s/1048576}')"

produce local

# 2./3. reads: restart for a cold chunk cache
strata_pid_data="$STRATA_DATA_DIR"
kill -TERM "$STRATA_PID"; wait "$STRATA_PID" 2>/dev/null || true
# strata_start makes a fresh data dir; restart on the same one by hand.
STRATA_DATA_DIR_KEEP="$strata_pid_data"
restart_on_same_dir() { # restart_on_same_dir [extra override...]
  local args=(serve --override node.id=1 --override process.roles=broker,controller
    --override controller.listener.names=CONTROLLER
    --override "listeners=PLAINTEXT://$STRATA_BOOTSTRAP,CONTROLLER://127.0.0.1:$CTRL_PORT"
    --override "controller.quorum.voters=1@127.0.0.1:$CTRL_PORT"
    --override "log.dirs=$STRATA_DATA_DIR_KEEP")
  local kv
  for kv in "${NODE_OVERRIDES[@]}" "$@"; do args+=(--override "$kv"); done
  RUST_LOG=warn "$STRATA_BIN" "${args[@]}" >>"$STRATA_LOG" 2>&1 &
  STRATA_PID=$!
  until python3 "$ROOT/scripts/lib/kafka_ready.py" "$STRATA_BOOTSTRAP" 1; do sleep 0.2; done
}
CTRL_PORT="$(strata_free_port)"
# A new controller port is fine: the quorum is this single node.
restart_on_same_dir
ttfb_remote="$(first_record_ms tiered)"
ttfb_local="$(first_record_ms local)"
kill -TERM "$STRATA_PID"; wait "$STRATA_PID" 2>/dev/null || true
# Cold with the default chunk cache (256 MiB): chunk buffers are recycled as the cache evicts,
# as on a node serving catch-up reads with default settings.
restart_on_same_dir
cold_default="$(consume_mbs tiered)"
kill -TERM "$STRATA_PID"; wait "$STRATA_PID" 2>/dev/null || true
# Cold with a cache that holds the partition (every chunk lands in fresh memory), then warm.
restart_on_same_dir "$BIG_CACHE"
if [[ -n "${BENCH_PERF_COLD:-}" ]]; then
  perf record -F 999 -g -p "$STRATA_PID" -o "$BENCH_PERF_COLD" >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 1
fi
cold="$(consume_mbs tiered)"
if [[ -n "${BENCH_PERF_COLD:-}" ]]; then
  kill -INT "$PERF_PID"; wait "$PERF_PID" 2>/dev/null || true
fi
warm="$(consume_mbs tiered)"
local_read="$(consume_mbs local)"
ratio() { awk -v c="$1" -v l="$local_read" 'BEGIN {if (l > 0) printf "%.2f", c / l; else print "n/a"}'; }

endpoint="$("$ROOT/.deps/s3/venv/bin/python" - "$AWS_ENDPOINT_URL" "$BUCKET" <<'PYEOF' 2>/dev/null || echo "n/a"
import os, sys, time
from concurrent.futures import ThreadPoolExecutor
import boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=sys.argv[1], config=Config(s3={"addressing_style": "path"}))
size, chunk = 64 << 20, 4 << 20
s3.put_object(Bucket=sys.argv[2], Key="endpoint-probe", Body=os.urandom(size))
get = lambda i: s3.get_object(Bucket=sys.argv[2], Key="endpoint-probe",
                              Range=f"bytes={i * chunk}-{(i + 1) * chunk - 1}")["Body"].read()
t = time.time(); [get(i) for i in range(size // chunk)]; one = size / (time.time() - t) / 1e6
t = time.time()
with ThreadPoolExecutor(4) as pool:
    list(pool.map(get, range(size // chunk)))
four = size / (time.time() - t) / 1e6
s3.delete_object(Bucket=sys.argv[2], Key="endpoint-probe")
# Whole 16 MiB objects (the bench's segment size), four in flight.
seg = 16 << 20
for i in range(4):
    s3.put_object(Bucket=sys.argv[2], Key=f"endpoint-probe-{i}", Body=os.urandom(seg))
whole = lambda i: s3.get_object(Bucket=sys.argv[2], Key=f"endpoint-probe-{i}")["Body"].read()
t = time.time()
with ThreadPoolExecutor(4) as pool:
    list(pool.map(whole, range(4)))
objects = 4 * seg / (time.time() - t) / 1e6
for i in range(4):
    s3.delete_object(Bucket=sys.argv[2], Key=f"endpoint-probe-{i}")
print(f"{one:.0f} MB/s one at a time, {four:.0f} MB/s four in flight; whole 16 MiB objects four in flight {objects:.0f} MB/s")
PYEOF
)"

printf '\n%-62s %s\n' "upload to $KIND, first to last segment object (MB/s)" "$upload_mbs"
printf '%-62s %s\n' "upload incl. produce start to fully tiered (MB/s)" "$total_mbs"
printf '%-62s %s MiB\n' "local data left of the tiered topic" "$local_left"
printf '%-62s %s\n' "catch-up read from offset 0, remote, cold, default cache (MB/s)" "$cold_default"
printf '%-62s %s\n' "catch-up read from offset 0, remote, cold, 1.5x cache (MB/s)" "$cold"
printf '%-62s %s\n' "catch-up read from offset 0, remote, warm cache (MB/s)" "$warm"
printf '%-62s %s\n' "read from offset 0, local topic, same run (MB/s)" "$local_read"
printf '%-62s %s / %s (target >= 0.50)\n' "cold remote / local: default cache / 1.5x cache" "$(ratio "$cold_default")" "$(ratio "$cold")"
printf '%-62s %s\n' "$KIND GETs by boto3: 4 MiB ranges; whole objects" "$endpoint"
printf '%-62s %s ms (local topic: %s ms)\n' "time to first record from offset 0, remote, cold cache" "$ttfb_remote" "$ttfb_local"
grep 'tiering stats' "$STRATA_LOG" | tail -n 1 || true
