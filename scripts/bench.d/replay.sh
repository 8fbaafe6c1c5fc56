#!/usr/bin/env bash
# Replay benchmark: full replays of the real archive sessions as fast as possible
# (figures in docs/BENCHMARKS.md, section replay). Run from the repository root after
# `make build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
archive=../shared/f1-archive
./build/bench/replay/bench_replay -r 20 \
  "$archive/2023/2023-04-30_Azerbaijan_Grand_Prix/2023-04-29_Sprint" \
  "$archive/2025/2025-05-04_Miami_Grand_Prix/2025-05-03_Sprint"
