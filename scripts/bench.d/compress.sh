#!/usr/bin/env bash
# Compression of the combined stream: per-connection encoders against each frame compressed
# once (bench/compress; docs/BENCHMARKS.md, section "compression"). Records RECORD_S seconds
# (20) of a 10 Hz race's combined stream from the real pitwall, then measures on it. Also
# prints the bytes a viewer receives per race-minute: the original stream, the combined one
# plain and gzip.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
RECORD_S=${RECORD_S:-20}
PITWALL=$BUILD/src/app/pitwall
BENCH=$BUILD/bench/compress/bench_compress
for bin in "$PITWALL" "$BENCH"; do
  [ -x "$bin" ] || { echo "compress.sh: $bin missing: run 'make build' first" >&2; exit 1; }
done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TMP=$(mktemp -d)
"$PITWALL" --host 127.0.0.1 --port "$PORT" --history "$TMP/history.db" --log-level warn 2>"$TMP/log" &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
RACE=$(curl -fsS -X POST "http://127.0.0.1:$PORT/api/race/start" \
  -d "{\"driver_name\":\"Lando Norris\",\"duration_s\":$(( RECORD_S + 60 )),\"tick_hz\":10}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["race_id"])')
sleep 3 # past the start
base="http://127.0.0.1:$PORT/api"
timeout "$RECORD_S" curl -sN "$base/race/$RACE/stream" >"$TMP/plain.sse" &
c1=$!
timeout "$RECORD_S" curl -sN -H 'Accept-Encoding: gzip, deflate, br' "$base/race/$RACE/stream" >"$TMP/gzip.sse" &
c2=$!
timeout "$RECORD_S" curl -sN "$base/positions/stream?race_id=$RACE" >"$TMP/legacy.sse" &
c3=$!
wait "$c1" "$c2" "$c3" || true
per_min() { python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1]) * 60 / $RECORD_S / 1e3:.0f} KB per viewer per race-minute')" "$1"; }
echo "original positions stream:        $(per_min "$TMP/legacy.sse")"
echo "combined stream, deltas, plain:   $(per_min "$TMP/plain.sse")"
echo "combined stream, deltas, gzip:    $(per_min "$TMP/gzip.sse") (Accept-Encoding: gzip, deflate, br)"
"$BENCH" "$TMP/plain.sse" --clients 10000
