#!/usr/bin/env bash
# Viewers over several edges sharing one port (bench/fanout/reuseport.sh; docs/BENCHMARKS.md,
# section "fan-out over processes"). Knobs as there (CLIENTS=40000 EDGES=3 LOADGENS=3 ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bench/fanout/reuseport.sh
