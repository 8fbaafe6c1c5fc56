#!/usr/bin/env bash
# Race simulator benchmark (docs/BENCHMARKS.md, section "race").
set -euo pipefail
cd "$(dirname "$0")/../.."
./build/bench/race/bench_race --races 200
./build/bench/race/bench_race --races 200 --tick 100
