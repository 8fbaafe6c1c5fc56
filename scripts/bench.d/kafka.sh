#!/usr/bin/env bash
# Kafka bus benchmark (docs/BENCHMARKS.md, section "kafka"): consume → decode → hub on one
# core vs. a bare librdkafka consumer, against a local Apache Kafka broker.
set -euo pipefail
cd "$(dirname "$0")/../.."
ENV_DIR=$(mktemp -d)
trap 'bash tools/kafka/kafka_env.sh stop "$ENV_DIR" >/dev/null 2>&1 || true; rm -rf "$ENV_DIR"' EXIT
bash tools/kafka/kafka_env.sh start "$ENV_DIR" >/dev/null
taskset -c 0 ./build/bench/kafka/bench_kafka "$ENV_DIR" 10000 20
