#!/usr/bin/env bash
# pitwall against the raw-epoll floor at 10,000 to 40,000 viewers, over several processes
# (bench/floor/scale.sh; docs/BENCHMARKS.md, section "floor at scale"). Knobs as there.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash bench/floor/scale.sh
