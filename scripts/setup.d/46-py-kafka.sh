#!/usr/bin/env bash
# A Python virtualenv in .cache/py-kafka with the original app's Kafka client, confluent-kafka
# (PyPI, with its Avro serializer), for the Flink suite and the interop test
# (scripts/test.d/70-flink.sh). Idempotent: pip is not asked once it is installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.cache/py-kafka
VERSION=2.16.1
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c \
    "import confluent_kafka, fastavro, sys; sys.exit(confluent_kafka.__version__ != '$VERSION')" 2>/dev/null; then
  exit 0
fi
echo "setup: installing confluent-kafka $VERSION (PyPI) into $VENV"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "confluent-kafka[avro]==$VERSION"
