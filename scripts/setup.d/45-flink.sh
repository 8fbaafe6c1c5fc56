#!/usr/bin/env bash
# Fetches Apache Flink 1.20 (a local MiniCluster, the Table API and SQL planner, the Kafka
# connector, JSON) and Apache Avro from Maven Central into .cache/flink-libs (flink/pom.xml
# says which), for the Flink job runner (flink/run.sh) and its tests. Idempotent: nothing is
# asked of Maven once the jars are there. About 135 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
LIBS=.cache/flink-libs
STAMP="$LIBS/.pom-$(sha1sum flink/pom.xml | cut -c1-12)"
if [ -e "$STAMP" ]; then
  exit 0
fi
command -v mvn >/dev/null || { echo "45-flink: mvn missing (see 40-kafka.packages)" >&2; exit 1; }
echo "setup: fetching Apache Flink jars from Maven Central into $LIBS"
rm -rf "$LIBS.tmp"
mkdir -p "$LIBS.tmp"
mvn -q -B -f flink/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
  -DoutputDirectory="$PWD/$LIBS.tmp"
rm -rf "$LIBS"
mv "$LIBS.tmp" "$LIBS"
touch "$STAMP"
