#!/usr/bin/env bash
# The suites in tests/flink/, run with the original app's Python Kafka client (confluent-kafka,
# in .cache/py-kafka: scripts/setup.d/46-py-kafka.sh) against a real Kafka broker
# (tools/kafka/kafka_env.sh): test_interop.py (confluent-kafka's Avro serializer and pitwall,
# both ways) and, where present, test_flink.py (the Flink job on a local MiniCluster). Each
# ends with its 'N passed, M failed' line.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/src/app/pitwall ] || { echo "70-flink: build/src/app/pitwall missing (make build)"; exit 1; }
PY=.cache/py-kafka/bin/python
[ -x "$PY" ] || { echo "70-flink: $PY missing (scripts/setup.sh)"; exit 1; }
status=0
for t in tests/flink/test_*.py; do
  echo "--- $t"
  "$PY" "$t" || status=1
done
exit $status
