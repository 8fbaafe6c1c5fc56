#!/usr/bin/env bash
# Runs every benchmark registered as scripts/bench.d/*.sh. Figures go to docs/BENCHMARKS.md
# by hand, with the command that produced them.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in scripts/bench.d/*.sh; do
  [ -e "$b" ] || continue
  echo "=== $(basename "$b" .sh)"
  bash "$b"
done
