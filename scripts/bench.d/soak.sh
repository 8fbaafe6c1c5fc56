#!/usr/bin/env bash
# Soak benchmark (docs/BENCHMARKS.md, section "soak"): the real pitwall on a free loopback
# port under MINUTES (default 10) of churn by bench/soak — RACES races at once starting and
# finishing, CLIENTS (1,000) clients connecting, reading, stalling, pipelining, sending
# slowly and leaving — with the server's RSS sampled every second. Targets: no event lost
# by the clients that keep up, RSS flat after the warm-up (slope below 1 MB/min) and under
# 256 MB. A miss is printed as "TARGET MISSED"; it fails the script only with STRICT=1.
# Usage: bash scripts/bench.d/soak.sh [--minutes N]   (or MINUTES=N; also CLIENTS, RACES,
# WARMUP_S)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
MINUTES=${MINUTES:-10}
CLIENTS=${CLIENTS:-1000}
RACES=${RACES:-6}
# The hub keeps 16 finished races with their logs: at this churn that fills in 4-6 minutes,
# so the slope is measured after 6 (MINUTES < 7 reports on the whole run instead).
WARMUP_S=${WARMUP_S:-360}
if [ "${1:-}" = "--minutes" ] && [ -n "${2:-}" ]; then MINUTES=$2; fi
if [ "$WARMUP_S" -ge $(( MINUTES * 60 )) ]; then WARMUP_S=0; fi
PITWALL=$BUILD/src/app/pitwall
SOAK=$BUILD/bench/soak/soak
for bin in "$PITWALL" "$SOAK"; do
  [ -x "$bin" ] || { echo "soak.sh: $bin missing: run 'make build' first" >&2; exit 1; }
done
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
TMP=$(mktemp -d)
ulimit -n "$(ulimit -Hn)"
# Short timeouts so slow and never-reading clients are cut off within the run.
cat >"$TMP/config.yaml" <<YAML
server:
  request_timeout_ms: 5000
  send_timeout_ms: 10000
  stream_queue_kb: 256
  output_queue_kb: 256
race:
  starts_per_minute: 120
YAML
"$PITWALL" --host 127.0.0.1 --port "$PORT" --history "$TMP/history.db" --log-level warn \
  --config "$TMP/config.yaml" 2>"$TMP/pitwall.log" &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "soak: pitwall pid $PID, RSS at start $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status)"
set +e
"$SOAK" --port "$PORT" --server-pid "$PID" --minutes "$MINUTES" --clients "$CLIENTS" \
  --races "$RACES" --race-s 45 --tick-hz 5 --warmup-s "$WARMUP_S" --rss-budget-mb 256 --max-slope-mb-min 1
rc=$?
set -e
echo "soak: server log lines: $(wc -l <"$TMP/pitwall.log") (warnings and errors only); the last:"
tail -3 "$TMP/pitwall.log"
if [ "$rc" -eq 2 ] && [ "${STRICT:-0}" != 1 ]; then rc=0; fi
exit $rc
