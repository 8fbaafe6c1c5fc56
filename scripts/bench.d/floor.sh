#!/usr/bin/env bash
# pitwall against the raw-epoll floor with the same load generator and bytes
# (bench/floor/side_by_side.sh; docs/BENCHMARKS.md, section "floor"). Knobs as there.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bench/floor/side_by_side.sh
