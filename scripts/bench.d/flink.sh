#!/usr/bin/env bash
# Flink benchmark (docs/BENCHMARKS.md, section "flink"): positions -> Flink -> commentary line
# delay (p50/p99) beside pitwall's embedded commentary engine on the same races, and
# records/s through the Flink job on a backlog, against a local Apache Kafka broker
# (bench/flink/bench_flink.py). Usage: bash scripts/bench.d/flink.sh [RACES [DURATION_S [COPIES]]]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.cache/py-kafka/bin/python
[ -x "$PY" ] || { echo "flink bench: $PY missing (scripts/setup.sh)"; exit 1; }
[ -x build/src/app/pitwall ] || { echo "flink bench: build/src/app/pitwall missing (make build)"; exit 1; }
exec "$PY" bench/flink/bench_flink.py "$@"
