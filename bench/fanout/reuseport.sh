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
# GZIP (0), BUILD (build). Loads the whole machine: run it alone. What it shares with the
# other fan-out benchmarks is in bench/lib/fanout_lib.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/fanout_lib.sh
. bench/lib/fanout_lib.sh
CLIENTS=${CLIENTS:-40000}
EDGES=${EDGES:-3}
LOADGENS=${LOADGENS:-3}
WORKERS=${WORKERS:-2}
DURATION=${DURATION:-25}
RAMP=${RAMP:-2000}
SOURCE_ADDRS=${SOURCE_ADDRS:-4}
GZIP=${GZIP:-0}
bench_init reuseport
[ "$LOADGENS" -le "$EDGES" ] || { echo "reuseport: LOADGENS must be <= EDGES (each samples one edge)" >&2; exit 1; }

bench_kafka_start "$TMP/kafka"
PORT=$(bench_free_port)
bench_pitwall_edges "$EDGES" "$PORT"
RUNNER=$RUNNER_PID
bench_start_race "$PORT" $(( DURATION + CLIENTS / RAMP + 60 ))
bench_wait_race_known "$PORT"

echo "reuseport: $CLIENTS clients, $EDGES edges on port $PORT, $LOADGENS load generators x $WORKERS threads," \
     "$SOURCE_ADDRS source addresses, ramp $RAMP/s, ${DURATION}s steady, gzip $GZIP; $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
per=$(( CLIENTS / LOADGENS ))
LOAD_ARGS=(--duration "$(( DURATION + CLIENTS / RAMP ))" --workers "$WORKERS"
           --source-addrs "$SOURCE_ADDRS")
[ "$GZIP" = 1 ] && LOAD_ARGS+=(--gzip)
TARGETS=()
for i in $(seq "$LOADGENS"); do
  TARGETS+=("http://127.0.0.1:$PORT/api/race/$RACE/stream" "${EDGE_PIDS[$((i - 1))]}")
done
bench_loadgens "$TMP/load" "$per" "$(( RAMP / LOADGENS ))" "${TARGETS[@]}" &
LOADGENS_PID=$!
# Every edge's streams and memory near the end of the run (the load generators sample only
# the edge each was given).
sleep $(( DURATION + CLIENTS / RAMP - 3 ))
for i in $(seq "$EDGES"); do
  pid=${EDGE_PIDS[$((i - 1))]}
  fds=$(find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null | wc -l)
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  cpu=$(bench_cpu_ticks "$pid")
  echo "edge$i $pid $fds $rss $cpu" >>"$TMP/edges.txt"
done
runner_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$RUNNER/status")
wait "$LOADGENS_PID"
for i in $(seq "$LOADGENS"); do echo "--- load generator $i"; cat "$TMP/load$i.txt"; done

REPORTS=("$TMP"/load*.txt)
read -r connected lost _ _ p99max _ _ _ _ _ _ < <(bench_merged "${REPORTS[@]}")
# column N of every report's figures, separated by spaces
column() { for f in "${REPORTS[@]}"; do bench_figures "$f"; done | awk -v n="$1" '{ print $n }' | paste -sd' '; }
p50s=$(column 1)
p99s=$(column 2)
fps=$(column 6)
echo "connected $connected  lost $lost  p50 per load generator [$p50s] ms  p99 per load generator" \
     "[$p99s] ms (all clients: p99 <= $p99max ms)  positions frames/s per client [$fps]"
awk -v hz="$(getconf CLK_TCK)" -v viewers="$connected" -v runner="$runner_rss" '
  { printf "%s: pid %s, %s sockets, VmRSS %.1f MB, CPU %.1f s\n", $1, $2, $3, $4 / 1024, $5 / hz
    rss += $4 }
  END { v = viewers > 0 ? viewers : 1
        printf "edges'"'"' RSS %.1f MB for %d viewers: %.0f bytes per viewer; the runner (no viewers) %.1f MB\n",
        rss / 1024, viewers, rss / v * 1024, runner / 1024 }' "$TMP/edges.txt"
