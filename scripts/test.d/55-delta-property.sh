#!/usr/bin/env bash
# Delta frames and compressed streams against the real server: random races and resume
# points, rebuilt by a Python reference and by the web UI's reducer under node, must equal the
# server's full positions at every id (tests/delta/delta_property.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/src/app/pitwall ] || { echo "55-delta-property: build/src/app/pitwall missing (make build)"; exit 1; }
python3 tests/delta/delta_property.py build/src/app/pitwall --races 4
