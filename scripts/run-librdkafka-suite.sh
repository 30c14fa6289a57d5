#!/usr/bin/env bash
# Runs librdkafka's own test suite (built by scripts/install-test-deps.sh) against a live
# `strata serve`, one allowlisted test at a time, and prints a report card.
#
#   scripts/run-librdkafka-suite.sh                 every test in tests/librdkafka-allowlist.txt
#   scripts/run-librdkafka-suite.sh 0012 0017       just these (allowlisted or not)
#   scripts/run-librdkafka-suite.sh --all-candidates  the allowlist plus the "failing" section
#
# Env: LIBRDKAFKA_TEST_TIMEOUT (seconds per test, default 300), TEST_CONSUMER_GROUP_PROTOCOL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/strata-node.sh
source "$ROOT/scripts/lib/strata-node.sh"
SUITE="$ROOT/.deps/librdkafka/tests"
ALLOWLIST="$ROOT/tests/librdkafka-allowlist.txt"
PER_TEST_TIMEOUT="${LIBRDKAFKA_TEST_TIMEOUT:-300}"
[[ -x "$SUITE/test-runner" ]] || {
  echo "librdkafka test-runner missing at $SUITE; run scripts/install-test-deps.sh" >&2
  exit 1
}

# Allowlist lines: "NNNN name  # why"; "#~ NNNN name # why" marks a candidate that fails today.
tests=()
if [[ $# -gt 0 && "$1" == "--all-candidates" ]]; then
  mapfile -t tests < <(sed -nE 's/^(#~ *)?([0-9]{4})[[:space:]].*/\2/p' "$ALLOWLIST")
elif [[ $# -gt 0 ]]; then
  tests=("$@")
else
  mapfile -t tests < <(sed -nE 's/^([0-9]{4})[[:space:]].*/\1/p' "$ALLOWLIST")
fi

OUT="$(mktemp -d /tmp/strata-rdk.XXXXXX)"
trap 'strata_stop; rm -rf "$OUT"' EXIT
start_node() {
  strata_start auto.create.topics.enable=true num.partitions=4 default.replication.factor=1
  # test.conf is read from the suite directory (the runner's cwd).
  echo "bootstrap.servers=$STRATA_BOOTSTRAP" >"$SUITE/test.conf"
}
start_node

passed=0
failed=0
failed_list=()
for t in "${tests[@]}"; do
  if ! kill -0 "$STRATA_PID" 2>/dev/null || ! python3 "$ROOT/scripts/lib/kafka_ready.py" "$STRATA_BOOTSTRAP" 5; then
    echo "librdkafka: node died before $t; restarting it (log tail below)"
    tail -n 20 "$STRATA_LOG" | sed 's/^/    /' || true
    strata_stop
    start_node
  fi
  start_s=$(date +%s)
  # The inner bash reports a crashed runner ("Aborted") into the test's log, not here.
  rc=0
  LD_LIBRARY_PATH="$SUITE/../src:$SUITE/../src-cpp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    RDKAFKA_TEST_CONF="$SUITE/test.conf" TEST_KAFKA_VERSION=4.0.0 TESTS="$t" \
    bash -c 'cd "$1" || exit 1; timeout "$2" ./test-runner -p1 -Q -E -S; exit $?' _ "$SUITE" "$PER_TEST_TIMEOUT" \
    >"$OUT/$t.log" 2>&1 || rc=$?
  took="$(( $(date +%s) - start_s ))s"
  ran=0
  # Ran = at least one variant passed and none was skipped (a skipped live variant beside a
  # passing local one is not a pass).
  if grep -qE "Test ${t}_[^ ]* PASSED" "$OUT/$t.log" && ! grep -q "SKIPPING TEST" "$OUT/$t.log"; then
    ran=1
  fi
  if [[ $rc -eq 0 && $ran -eq 1 ]]; then
    echo "librdkafka $t: passed ($took)"
    passed=$((passed + 1))
  elif [[ $rc -eq 0 ]]; then
    # The runner exited 0 but skipped (part of) this test or filtered it out. Not a pass.
    why="$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/$t.log" | sed -nE 's/.*SKIPPING TEST: (.*)/\1/p' | head -n 1)"
    echo "librdkafka $t: FAILED (did not run: ${why:-filtered out by the runner})"
    failed=$((failed + 1))
    failed_list+=("$t")
  else
    reason="exit $rc"
    if [[ $rc -eq 124 ]]; then reason="timeout ${PER_TEST_TIMEOUT}s"; fi
    echo "librdkafka $t: FAILED ($reason, $took)"
    # The runner's failure banner and the assertion message after it, without colour codes.
    sed 's/\x1b\[[0-9;]*m//g' "$OUT/$t.log" | grep -A1 '^### Test' | grep -v '^--$' | head -n 6 | cut -c1-240 | sed 's/^/    /' || true
    failed=$((failed + 1))
    failed_list+=("$t")
  fi
  if [[ -n "${LIBRDKAFKA_KEEP_LOGS:-}" ]]; then cp "$OUT/$t.log" "$LIBRDKAFKA_KEEP_LOGS/" || true; fi
done
echo "librdkafka: $passed passed, $failed failed ${failed_list[*]:-}"
[[ $failed -eq 0 ]]
