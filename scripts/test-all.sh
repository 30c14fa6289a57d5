#!/usr/bin/env bash
# Every test Strata has, in the order CI runs them (this is what .ci/run calls):
#   1. test dependencies (pinned; cached in .deps/)
#   2. cargo build, clippy -D warnings, cargo test --workspace (unit, property, in-process and
#      black-box Rust tests against the built `strata` binary)
#   3. real clients against real nodes: Java kafka-clients, kafka-python + confluent-kafka,
#      kafka-python's own integration suite (allowlist), librdkafka's own suite (allowlist,
#      group tests under both group protocols)
# Prints "N passed, M failed" for the non-cargo suites and exits non-zero on any failure.
# Respects CARGO_TARGET_DIR. Env: SKIP_LIBRDKAFKA_SUITE=1 to skip step 3's last suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
export STRATA_BIN="${STRATA_BIN:-$TARGET_DIR/debug/strata}"
step() { echo; echo "==== $* ($(date -u +%H:%M:%S))"; }

step "install test dependencies"
scripts/install-test-deps.sh

step "cargo build --workspace --all-targets"
cargo build --workspace --all-targets

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test --workspace --no-fail-fast"
cargo test --workspace --no-fail-fast

suite_passed=0
suite_failed=0
failed_suites=()
tally() { # tally <log>: adds the last "N passed, M failed" (pytest: "M failed, N passed, K errors") line
  local line p f
  line="$(grep -E '[0-9]+ (passed|failed)' "$1" | tail -n 1 || true)"
  p="$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || true)"
  f="$(grep -oE '[0-9]+ (failed|errors?)' <<<"$line" | grep -oE '[0-9]+' | paste -sd+ - || true)"
  suite_passed=$((suite_passed + ${p:-0}))
  suite_failed=$((suite_failed + ${f:-0}))
}
run_suite() { # run_suite <name> <command...>
  local name="$1"; shift
  local log; log="$(mktemp /tmp/strata-suite.XXXXXX)"
  step "$name"
  if "$@" 2>&1 | tee "$log"; then :; else
    failed_suites+=("$name")
    # A suite that died before its report card still counts as one failure.
    grep -qE '[0-9]+ (passed|failed)' "$log" || suite_failed=$((suite_failed + 1))
  fi
  tally "$log"
  rm -f "$log"
}

run_suite "java kafka-clients 4.3.0" scripts/run-java-tests.sh
run_suite "kafka-python + confluent-kafka" scripts/run-python-tests.sh
run_suite "kafka-python integration suite" scripts/run-kafka-python-suite.sh
if [[ -z "${SKIP_LIBRDKAFKA_SUITE:-}" ]]; then
  run_suite "librdkafka test suite" scripts/run-librdkafka-suite.sh
fi

echo
echo "client suites: $suite_passed passed, $suite_failed failed${failed_suites[*]:+ (failing: ${failed_suites[*]})}"
[[ ${#failed_suites[@]} -eq 0 && $suite_failed -eq 0 ]]
