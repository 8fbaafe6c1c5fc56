#!/usr/bin/env bash
# Runs Flink SQL files on a local Apache Flink MiniCluster:
#   flink/run.sh [--var KEY=VALUE]... FILE.sql...
# Compiles flink/src (javac, against the jars scripts/setup.d/45-flink.sh put in
# .cache/flink-libs) into build/flink when a source is newer, then runs
# dev.pitwall.flink.SqlRunner under `nice -n ${PITWALL_FLINK_NICE:-10}` (the benchmark sets 0).
# Stops with the job (SIGTERM/SIGINT).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LIBS="$ROOT/.cache/flink-libs"
OUT="${PITWALL_FLINK_BUILD:-$ROOT/build/flink}"
[ -e "$LIBS/flink-runtime-1.20.3.jar" ] || { echo "flink/run.sh: $LIBS missing (scripts/setup.sh)" >&2; exit 1; }
mkdir -p "$OUT/classes"
if [ ! -e "$OUT/classes/.built" ] || [ -n "$(find "$ROOT/flink/src" -newer "$OUT/classes/.built" -type f | head -1)" ]; then
  rm -rf "$OUT/classes"
  mkdir -p "$OUT/classes"
  javac -nowarn -d "$OUT/classes" -cp "$LIBS/*" $(find "$ROOT/flink/src/main/java" -name '*.java')
  cp -r "$ROOT/flink/src/main/resources/." "$OUT/classes/"
  touch "$OUT/classes/.built"
fi
# Java 17 and Flink: the reflective access Flink's own scripts open up.
OPENS=(--add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
       --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
       --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
       --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED
       --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
       --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
       --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED)
# PITWALL_FLINK_JAVA_OPTS: more JVM options (the tests use the client compiler and the serial
# collector: a quicker start on a small machine).
exec nice -n "${PITWALL_FLINK_NICE:-10}" java "${OPENS[@]}" -Xmx${PITWALL_FLINK_HEAP:-768m} ${PITWALL_FLINK_JAVA_OPTS:-} \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=${PITWALL_FLINK_LOG:-warn} \
  -Dorg.slf4j.simpleLogger.log.dev.pitwall=info \
  -Dorg.slf4j.simpleLogger.showDateTime=true \
  -cp "$OUT/classes:$LIBS/*" dev.pitwall.flink.SqlRunner "$@"
