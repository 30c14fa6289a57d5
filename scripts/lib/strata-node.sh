# Start and stop one `strata serve` node from a shell script (source this file).
#
#   strata_start [key=value ...]   starts a node on free ports with a fresh data dir; extra
#                                  arguments become --override flags. Sets STRATA_BOOTSTRAP,
#                                  STRATA_PID, STRATA_DATA_DIR, STRATA_LOG.
#                                  STRATA_NODE_ID (default 1) sets node.id and the voter id;
#                                  STRATA_ADVERTISE=1 also sets advertised.listeners explicitly.
#   strata_stop                    SIGTERM, then SIGKILL after 30 s; removes the data dir.
#
# The binary is $STRATA_BIN, else ${CARGO_TARGET_DIR:-<repo>/target}/debug/strata.

STRATA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

strata_binary() {
  if [[ -n "${STRATA_BIN:-}" ]]; then
    echo "$STRATA_BIN"
  else
    echo "${CARGO_TARGET_DIR:-$STRATA_ROOT/target}/debug/strata"
  fi
}

strata_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

strata_start() {
  local bin
  bin="$(strata_binary)"
  if [[ ! -x "$bin" ]]; then
    echo "strata binary not found at $bin (cargo build -p strata-tools, or set STRATA_BIN)" >&2
    return 1
  fi
  local kafka_port controller_port
  kafka_port="$(strata_free_port)"
  controller_port="$(strata_free_port)"
  while [[ "$controller_port" == "$kafka_port" ]]; do controller_port="$(strata_free_port)"; done
  STRATA_DATA_DIR="$(mktemp -d /tmp/strata-data.XXXXXX)"
  STRATA_LOG="$(mktemp /tmp/strata-log.XXXXXX)"
  local args=(serve
    --override "node.id=${STRATA_NODE_ID:-1}"
    --override process.roles=broker,controller
    --override controller.listener.names=CONTROLLER
    --override "listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$controller_port"
    --override "controller.quorum.voters=${STRATA_NODE_ID:-1}@127.0.0.1:$controller_port"
    --override "log.dirs=$STRATA_DATA_DIR")
  if [[ -n "${STRATA_ADVERTISE:-}" ]]; then
    args+=(--override "advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port")
  fi
  local kv
  for kv in "$@"; do args+=(--override "$kv"); done
  RUST_LOG="${STRATA_LOG_LEVEL:-info}" "$bin" "${args[@]}" >"$STRATA_LOG" 2>&1 &
  STRATA_PID=$!
  STRATA_BOOTSTRAP="127.0.0.1:$kafka_port"
  export STRATA_BOOTSTRAP STRATA_PID STRATA_DATA_DIR STRATA_LOG
  local waited=0
  until python3 "$STRATA_ROOT/scripts/lib/kafka_ready.py" "$STRATA_BOOTSTRAP" 1; do
    if ! kill -0 "$STRATA_PID" 2>/dev/null; then
      echo "strata exited before answering; log tail:" >&2
      tail -n 30 "$STRATA_LOG" >&2
      return 1
    fi
    waited=$((waited + 1))
    if [[ $waited -ge 60 ]]; then
      echo "strata did not answer on $STRATA_BOOTSTRAP within 60 s; log tail:" >&2
      tail -n 30 "$STRATA_LOG" >&2
      return 1
    fi
  done
}

strata_stop() {
  [[ -n "${STRATA_PID:-}" ]] || return 0
  kill -TERM "$STRATA_PID" 2>/dev/null || true
  local i
  for i in $(seq 1 300); do
    kill -0 "$STRATA_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$STRATA_PID" 2>/dev/null; then
    echo "strata ignored SIGTERM for 30 s; killing" >&2
    kill -KILL "$STRATA_PID" 2>/dev/null || true
  fi
  wait "$STRATA_PID" 2>/dev/null || true
  rm -rf "$STRATA_DATA_DIR"
  rm -f "$STRATA_LOG"
  STRATA_PID=""
}
