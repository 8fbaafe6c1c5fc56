#!/usr/bin/env bash
# Fetches the Apache Kafka 3.9 broker and its runtime dependencies from Maven Central into
# .cache/kafka-libs (tools/kafka/pom.xml says which), for the Kafka mode tests. Idempotent:
# nothing is asked of Maven once the jars are there.
set -euo pipefail
cd "$(dirname "$0")/../.."
LIBS=.cache/kafka-libs
if ls "$LIBS"/kafka_2.13-3.9*.jar "$LIBS"/slf4j-reload4j-*.jar >/dev/null 2>&1; then
  exit 0
fi
command -v mvn >/dev/null || { echo "40-kafka: mvn missing (see 40-kafka.packages)" >&2; exit 1; }
echo "setup: fetching Apache Kafka jars from Maven Central into $LIBS"
mkdir -p "$LIBS"
mvn -q -B -f tools/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory="$PWD/$LIBS"
