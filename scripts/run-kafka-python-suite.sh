#!/usr/bin/env bash
# Runs kafka-python 3.0.12's own integration tests (test/integration from its sdist, installed by
# scripts/install-test-deps.sh) against a live `strata serve`: the allowlisted tests in
# tests/kafka-python-allowlist.txt, or the pytest node ids given as arguments.
# pytest prints the report card ("N passed, M failed").
#
# Env: KAFKA_PYTHON_TEST_TIMEOUT (seconds per test, default 120); KAFKA_PYTHON_SUITE_KAFKA_VERSION
# (default 4.1.0: the version kafka-python itself infers from the ApiVersions table Strata advertises).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/strata-node.sh
source "$ROOT/scripts/lib/strata-node.sh"
SUITE="$ROOT/.deps/kafka-python-suite"
ALLOWLIST="$ROOT/tests/kafka-python-allowlist.txt"
PY="$ROOT/.deps/venv/bin/python"
[[ -d "$SUITE/src/test/integration" && -x "$PY" ]] || {
  echo "kafka-python suite missing at $SUITE; run scripts/install-test-deps.sh" >&2
  exit 1
}
# Our stand-in for the sdist's missing test/service.py (see the file's docstring).
cp "$ROOT/tests/kafka-python-suite/service.py" "$SUITE/src/test/service.py"

tests=()
if [[ $# -gt 0 ]]; then
  tests=("$@")
else
  # Allowlist lines: "test/integration/file.py::test_name   # why".
  mapfile -t tests < <(sed -nE 's/^(test\/[^[:space:]#]+).*/\1/p' "$ALLOWLIST")
fi

trap 'strata_stop' EXIT
# The suite's fixtures describe the broker they would start (kafka-python's
# servers/resources/default/kafka.properties): node id 0, listeners set explicitly, topics
# auto-created with 4 partitions, group.initial.rebalance.delay.ms=0,
# group.min.session.timeout.ms=1000 ("allow shorter session timeouts for tests"),
# offsets.topic.num.partitions=2, offsets.topic.replication.factor=1. Ours matches that.
STRATA_NODE_ID=0 STRATA_ADVERTISE=1 strata_start auto.create.topics.enable=true num.partitions=4 \
  default.replication.factor=1 group.initial.rebalance.delay.ms=0 group.min.session.timeout.ms=1000 \
  offsets.topic.num.partitions=2 offsets.topic.replication.factor=1
cd "$SUITE/src"
KAFKA_ROOT="$SUITE/empty-kafka-root" KAFKA_VERSION="${KAFKA_PYTHON_SUITE_KAFKA_VERSION:-4.1.0}" KAFKA_URI="tcp://$STRATA_BOOTSTRAP" \
  "$PY" -m pytest -p no:cacheprovider -q -rfE --tb=short -o addopts="" \
  --timeout "${KAFKA_PYTHON_TEST_TIMEOUT:-120}" --timeout-method=signal "${tests[@]}"
