#!/usr/bin/env bash
# Viewers past one process's descriptor limit: several pitwall edges on one port
# (server.reuse_port, SO_REUSEPORT), each its own hub fed from Kafka, and the load generator
# split over several processes and source addresses (docs/FANOUT.md, docs/BENCHMARKS.md
# section "fan-out over processes").
#
# Starts a local Kafka broker (tools/kafka/kafka_env.sh), one runner (roles runner and
# commentary, no HTTP server), EDGES edges sharing one port, starts a race at
# 10 Hz through the shared port, then LOADGENS sse_load processes at once, each with
# CLIENTS/LOADGENS clients over SOURCE_ADDRS source addresses, each sampling one edge's
# memory and CPU. Prints each load generator's report and a summary: clients connected,
# the worst p99 of the load generators (the p99 of all clients together is at most that:
# no more than 1% of any part, so of the whole, is above it), lost events, every edge's
# streams and RSS, and RSS per viewer.
#
# Knobs: CLIENTS (40000), EDGES (3), LOADGENS (3), WORKERS (2 threads per load generator),
# DURATION (25 s after the ramp), RAMP (2000 connections/s in all), SOURCE_ADDRS (4),
# GZIP (0), BUILD (build). Loads the whole machine: run it alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CLIENTS=${CLIENTS:-40000}
EDGES=${EDGES:-3}
LOADGENS=${LOADGENS:-3}
WORKERS=${WORKERS:-2}
DURATION=${DURATION:-25}
RAMP=${RAMP:-2000}
SOURCE_ADDRS=${SOURCE_ADDRS:-4}
GZIP=${GZIP:-0}
PITWALL=$BUILD/src/app/pitwall
LOAD=$BUILD/bench/sse_load/sse_load
for bin in "$PITWALL" "$LOAD"; do
  [ -x "$bin" ] || { echo "reuseport: $bin missing: run 'make build' first" >&2; exit 1; }
done
[ "$LOADGENS" -le "$EDGES" ] || { echo "reuseport: LOADGENS must be <= EDGES (each samples one edge)" >&2; exit 1; }
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash tools/kafka/kafka_env.sh stop "$TMP/kafka" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bash tools/kafka/kafka_env.sh start "$TMP/kafka" >/dev/null
# shellcheck disable=SC1091
. "$TMP/kafka/env"
cat > "$TMP/pitwall.yaml" <<YAML
log_level: warn
server:
  max_connections: 1000000
kafka:
  bootstrap.servers: "$KAFKA_BOOTSTRAP"
  schema_registry_url: "$SCHEMA_REGISTRY_URL"
  topic_partitions: 1
  consumer_group: "fanout-bench"
YAML

wait_health() { # port log
  for _ in $(seq 1200); do curl -fsS "http://127.0.0.1:$1/api/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "reuseport: nothing answers on port $1; $2:" >&2; cat "$2" >&2; return 1
}
# The runner has no HTTP server (no edge role): it takes the start request from the
# control topic whenever its consumer group has joined.
"$PITWALL" --config "$TMP/pitwall.yaml" --role runner,commentary \
  --history "$TMP/runner.db" 2>"$TMP/runner.log" &
RUNNER=$!
PIDS+=("$RUNNER")
PORT=$(free_port)
EDGE_PIDS=()
for i in $(seq "$EDGES"); do
  "$PITWALL" --config "$TMP/pitwall.yaml" --role edge --reuse-port --port "$PORT" \
    --history "$TMP/edge$i.db" 2>"$TMP/edge$i.log" &
  EDGE_PIDS+=("$!")
  PIDS+=("$!")
done
wait_health "$PORT" "$TMP/edge1.log"

RACE_S=$(( DURATION + CLIENTS / RAMP + 60 ))
RACE=$(curl -fsS -X POST "http://127.0.0.1:$PORT/api/race/start" \
  -d "{\"driver_name\":\"Lando Norris\",\"duration_s\":$RACE_S,\"tick_hz\":10}" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["race_id"])')
# Every edge learns the race from the topics: ask until many answers in a row (new
# connections, so the kernel's hash spreads them over the edges) say it is known.
ok=0
for _ in $(seq 600); do
  if curl -fsS "http://127.0.0.1:$PORT/api/race/$RACE/status" >/dev/null 2>&1; then
    ok=$((ok + 1)); [ "$ok" -ge 30 ] && break
  else ok=0; sleep 0.1; fi
done
[ "$ok" -ge 30 ] || { echo "reuseport: the edges never all knew race $RACE" >&2; exit 1; }

echo "reuseport: $CLIENTS clients, $EDGES edges on port $PORT, $LOADGENS load generators x $WORKERS threads," \
     "$SOURCE_ADDRS source addresses, ramp $RAMP/s, ${DURATION}s steady, gzip $GZIP; $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
LOAD_PIDS=()
per=$(( CLIENTS / LOADGENS ))
for i in $(seq "$LOADGENS"); do
  args=(--url "http://127.0.0.1:$PORT/api/race/$RACE/stream" --clients "$per"
        --duration "$(( DURATION + CLIENTS / RAMP ))" --ramp-per-sec "$(( RAMP / LOADGENS ))"
        --workers "$WORKERS" --source-addrs "$SOURCE_ADDRS" --server-pid "${EDGE_PIDS[$((i - 1))]}")
  [ "$GZIP" = 1 ] && args+=(--gzip)
  "$LOAD" "${args[@]}" >"$TMP/load$i.txt" 2>/dev/null &
  LOAD_PIDS+=("$!")
done
# Every edge's streams and memory near the end of the run (the load generators sample only
# the edge each was given).
sleep $(( DURATION + CLIENTS / RAMP - 3 ))
for i in $(seq "$EDGES"); do
  pid=${EDGE_PIDS[$((i - 1))]}
  fds=$(find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null | wc -l)
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  echo "edge$i $pid $fds $rss $cpu" >>"$TMP/edges.txt"
done
runner_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$RUNNER/status")
for p in "${LOAD_PIDS[@]}"; do wait "$p" || true; done
for i in $(seq "$LOADGENS"); do echo "--- load generator $i"; cat "$TMP/load$i.txt"; done

python3 - "$TMP" "$LOADGENS" "$runner_rss" "$(getconf CLK_TCK)" <<'PY'
import re, sys
tmp, n, runner_rss, hz = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def g(t, pat):
    m = re.search(pat, t)
    return float(m.group(1)) if m else 0.0
connected = lost = 0
p99s, p50s, fps = [], [], []
for i in range(1, n + 1):
    t = open(f"{tmp}/load{i}.txt").read()
    connected += int(g(t, r"connected (\d+) "))
    lost += int(g(t, r" lost (\d+) "))
    h = "steady[^)]*" if re.search(r"delay ms \(steady[^)]*\): p50", t) else "all"
    p50s.append(int(g(t, r"delay ms \(" + h + r"\): p50 (\d+)")))
    p99s.append(int(g(t, r"delay ms \(" + h + r"\): p50 \d+  p99 (\d+)")))
    fps.append(g(t, r"([0-9.]+) positions frames/s"))
edges = [l.split() for l in open(f"{tmp}/edges.txt")]
rss = sum(int(e[3]) for e in edges)
print(f"connected {connected}  lost {lost}  p50 per load generator {p50s} ms  p99 per load generator {p99s} ms"
      f" (all clients: p99 <= {max(p99s)} ms)  positions frames/s per client {fps}")
for e in edges:
    print(f"{e[0]}: pid {e[1]}, {e[2]} sockets, VmRSS {int(e[3]) / 1024:.1f} MB, CPU {int(e[4]) / hz:.1f} s")
print(f"edges' RSS {rss / 1024:.1f} MB for {connected} viewers: {rss / max(connected, 1) * 1024:.0f} bytes per viewer"
      f"; the runner (no viewers) {runner_rss / 1024:.1f} MB")
PY
