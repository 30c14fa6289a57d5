#!/usr/bin/env bash
# Runs tests/python (kafka-python 3.0.12 and confluent-kafka 2.16.1) with pytest from the
# .deps venv; each test module starts its own `strata serve`. Extra args go to pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="$ROOT/.deps/venv/bin/python"
[[ -x "$PY" ]] || { echo "python venv missing; run scripts/install-test-deps.sh" >&2; exit 1; }
cd "$ROOT"
exec "$PY" -m pytest -p no:cacheprovider -q -rfE "$ROOT/tests/python" "$@"
