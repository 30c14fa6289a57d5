#!/usr/bin/env bash
# Runs librdkafka's own test suite (built by scripts/install-test-deps.sh) against a live
# `strata serve`, one allowlisted test at a time, and prints a report card.
#
#   scripts/run-librdkafka-suite.sh                 every test in tests/librdkafka-allowlist.txt
#   scripts/run-librdkafka-suite.sh 0012 0017       just these (allowlisted or not)
#   scripts/run-librdkafka-suite.sh --all-candidates  the allowlist plus the "failing" section
#
# An allowlist line may name the group protocols a test runs under, "NNNN name [classic,consumer] # why";
# without a bracket it runs once with the suite's default (classic). Each (test, protocol) pair
# counts separately in the report card. Explicit test numbers on the command line run under
# $TEST_CONSUMER_GROUP_PROTOCOL (default classic).
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
# Each entry is "NNNN:protocol".
allowlisted_runs() { # allowlisted_runs <sed prefix regex>
  sed -nE "s/^$1([0-9]{4})[[:space:]]+[^#[]*(\[([a-z,]+)\])?.*/\2 \4/p" "$ALLOWLIST" |
    while read -r number modes; do
      for mode in ${modes//,/ }; do echo "$number:$mode"; done
      [[ -n "$modes" ]] || echo "$number:classic"
    done
}
tests=()
if [[ $# -gt 0 && "$1" == "--all-candidates" ]]; then
  mapfile -t tests < <(allowlisted_runs '(#~ *)?')
elif [[ $# -gt 0 ]]; then
  for t in "$@"; do tests+=("$t:${TEST_CONSUMER_GROUP_PROTOCOL:-classic}"); done
else
  mapfile -t tests < <(allowlisted_runs '()')
fi

OUT="$(mktemp -d /tmp/strata-rdk.XXXXXX)"
trap 'strata_stop; rm -rf "$OUT"' EXIT
start_node() {
  strata_start auto.create.topics.enable=true num.partitions=4 default.replication.factor=1
  # A private test.conf (RDKAFKA_TEST_CONF), so concurrent runs cannot point at each other's node.
  echo "bootstrap.servers=$STRATA_BOOTSTRAP" >"$OUT/test.conf"
}
start_node

passed=0
failed=0
failed_list=()
for run in "${tests[@]}"; do
  t="${run%%:*}"
  protocol="${run#*:}"
  label="$t/$protocol"
  if ! kill -0 "$STRATA_PID" 2>/dev/null || ! python3 "$ROOT/scripts/lib/kafka_ready.py" "$STRATA_BOOTSTRAP" 5; then
    echo "librdkafka: node died before $label; restarting it (log tail below)"
    tail -n 20 "$STRATA_LOG" | sed 's/^/    /' || true
    strata_stop
    start_node
  fi
  start_s=$(date +%s)
  # The inner bash reports a crashed runner ("Aborted") into the test's log, not here.
  rc=0
  LD_LIBRARY_PATH="$SUITE/../src:$SUITE/../src-cpp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    RDKAFKA_TEST_CONF="$OUT/test.conf" TEST_KAFKA_VERSION=4.0.0 TESTS="$t" TEST_CONSUMER_GROUP_PROTOCOL="$protocol" \
    bash -c 'cd "$1" || exit 1; timeout "$2" ./test-runner -p1 -E -S -L; exit $?' _ "$SUITE" "$PER_TEST_TIMEOUT" \
    >"$OUT/$t-$protocol.log" 2>&1 || rc=$?
  took="$(( $(date +%s) - start_s ))s"
  ran=0
  # Ran = at least one variant passed and none was skipped (a skipped live variant beside a
  # passing local one is not a pass).
  # Variants filtered by our own -L/-E flags (local-only and sockem variants) do not count; any
  # other skip does.
  if grep -qE "Test ${t}_[^ ]* PASSED" "$OUT/$t-$protocol.log" &&
    ! grep "SKIPPING TEST" "$OUT/$t-$protocol.log" | grep -qv "Filtered due to negative test flags"; then
    ran=1
  fi
  if [[ $rc -eq 0 && $ran -eq 1 ]]; then
    echo "librdkafka $label: passed ($took)"
    passed=$((passed + 1))
  elif [[ $rc -eq 0 ]]; then
    # The runner exited 0 but skipped (part of) this test or filtered it out. Not a pass.
    why="$(sed 's/\x1b\[[0-9;]*m//g' "$OUT/$t-$protocol.log" | sed -nE 's/.*SKIPPING TEST: (.*)/\1/p' |
      { grep -v 'Filtered due to negative test flags' || true; } | head -n 1)"
    echo "librdkafka $label: FAILED (did not run: ${why:-filtered out by the runner})"
    failed=$((failed + 1))
    failed_list+=("$label")
  else
    reason="exit $rc"
    if [[ $rc -eq 124 ]]; then reason="timeout ${PER_TEST_TIMEOUT}s"; fi
    echo "librdkafka $label: FAILED ($reason, $took)"
    # The runner's failure banner and the assertion message after it, without colour codes.
    sed 's/\x1b\[[0-9;]*m//g' "$OUT/$t-$protocol.log" | grep -A1 '^### Test' | grep -v '^--$' | head -n 6 | cut -c1-240 | sed 's/^/    /' || true
    failed=$((failed + 1))
    failed_list+=("$label")
  fi
  if [[ -n "${LIBRDKAFKA_KEEP_LOGS:-}" ]]; then cp "$OUT/$t-$protocol.log" "$LIBRDKAFKA_KEEP_LOGS/" || true; fi
done
echo "librdkafka: $passed passed, $failed failed ${failed_list[*]:-}"
[[ $failed -eq 0 ]]
