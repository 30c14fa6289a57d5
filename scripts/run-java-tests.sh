#!/usr/bin/env bash
# Compiles tests/java/*.java against the Java kafka-clients jars (scripts/install-test-deps.sh)
# and runs each program against a freshly started node. Prints one line per program and a
# final "N passed, M failed"; exits non-zero if any failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/strata-node.sh
source "$ROOT/scripts/lib/strata-node.sh"
LIB="$ROOT/.deps/java/lib"
PER_TEST_TIMEOUT="${JAVA_TEST_TIMEOUT:-300}"

ls "$LIB"/kafka-clients-*.jar >/dev/null 2>&1 || {
  echo "java client jars missing in $LIB; run scripts/install-test-deps.sh" >&2
  exit 1
}
CLASSES="$(mktemp -d /tmp/strata-java.XXXXXX)"
trap 'strata_stop; rm -rf "$CLASSES"' EXIT
javac -nowarn -cp "$LIB/*" -d "$CLASSES" "$ROOT"/tests/java/*.java

passed=0
failed=0
failed_names=()
for source_file in "$ROOT"/tests/java/*.java; do
  name="$(basename "$source_file" .java)"
  # A program may ask for broker overrides on a first-lines comment:
  #   // strata-overrides: key=value key=value
  read -r -a overrides <<<"$(sed -n 's|^// strata-overrides: ||p' "$source_file" | head -n1)"
  if ! strata_start "${overrides[@]}"; then
    echo "java $name: FAILED (node did not start)"
    failed=$((failed + 1)); failed_names+=("$name")
    continue
  fi
  if timeout "$PER_TEST_TIMEOUT" java -cp "$CLASSES:$LIB/*" "$name" "$STRATA_BOOTSTRAP" \
      >"$CLASSES/$name.out" 2>&1; then
    echo "java $name: passed"
    passed=$((passed + 1))
  else
    echo "java $name: FAILED"
    grep -v '^SLF4J' "$CLASSES/$name.out" | head -n 30 | sed 's/^/    /' || true
    echo "    -- broker log tail:"; tail -n 15 "$STRATA_LOG" | sed 's/^/    /'
    failed=$((failed + 1)); failed_names+=("$name")
  fi
  strata_stop
done
echo "java: $passed passed, $failed failed ${failed_names[*]:-}"
[[ $failed -eq 0 ]]
