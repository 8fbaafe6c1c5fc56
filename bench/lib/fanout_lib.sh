# fanout_lib.sh — what the fan-out benchmarks (bench/floor, bench/fanout) share, sourced by
# them (never run): the binaries and their checks, a temporary directory and the processes
# started in it (stopped and deleted on exit), a free port, the raw-epoll floor compiled
# from the shared benchmark folder, a pitwall started embedded or as a Kafka runner and
# edges on one port, a race started over HTTP, and the figures of `sse_load` reports.
#
# The caller sets `set -euo pipefail`, changes to the repository's root and calls
# bench_init NAME first. Knobs read here: BUILD (build), FLOOR_SRC
# (../shared/bench/rawfan_pw.c).

# bench_init NAME: PITWALL, LOAD and TMP set, the descriptor limit raised to the hard limit,
# cleanup on exit. NAME prefixes every message.
bench_init() {
  BENCH_NAME=$1
  BUILD=${BUILD:-build}
  FLOOR_SRC=${FLOOR_SRC:-../shared/bench/rawfan_pw.c}
  PITWALL=$BUILD/src/app/pitwall
  LOAD=$BUILD/bench/sse_load/sse_load
  local bin
  for bin in "$PITWALL" "$LOAD"; do
    [ -x "$bin" ] || { echo "$BENCH_NAME: $bin missing: run 'make build' first" >&2; exit 1; }
  done
  TMP=$(mktemp -d)
  BENCH_PIDS=()
  BENCH_KAFKA=
  trap bench_cleanup EXIT
  ulimit -n "$(ulimit -Hn)"
}

# Every process started through bench_started, then the Kafka environment, then TMP.
bench_cleanup() {
  local p
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$BENCH_KAFKA" ]; then
    bash tools/kafka/kafka_env.sh stop "$BENCH_KAFKA" >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}

# bench_started PID: stopped by the cleanup if still running then.
bench_started() { BENCH_PIDS+=("$1"); }

# bench_stop PID...: stops these now (SIGTERM) and waits for them.
bench_stop() {
  local p
  for p in "$@"; do kill "$p" 2>/dev/null || true; done
  for p in "$@"; do wait "$p" 2>/dev/null || true; done
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_wait_health PORT LOG: until pitwall answers on PORT (2 minutes), else LOG and fail.
bench_wait_health() {
  for _ in $(seq 1200); do
    curl -fsS "http://127.0.0.1:$1/api/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$BENCH_NAME: nothing answers on port $1; $2:" >&2
  cat "$2" >&2
  return 1
}

# bench_floor_build: FLOOR, the raw-epoll floor compiled into TMP; returns 1 (with a message)
# when its source is not here.
bench_floor_build() {
  if [ ! -f "$FLOOR_SRC" ]; then
    echo "$BENCH_NAME: the floor's source $FLOOR_SRC is not here (FLOOR_SRC=...): nothing to compare"
    return 1
  fi
  FLOOR=$TMP/rawfan_pw
  gcc -O2 -o "$FLOOR" "$FLOOR_SRC"
}

# bench_floor_start PORT SECONDS FRAME_BYTES LOG: a floor sending FRAME_BYTES every 100 ms;
# its pid in FLOOR_PID once it listens.
bench_floor_start() {
  "$FLOOR" "$1" 100 "$2" "$3" >"$4" 2>&1 &
  FLOOR_PID=$!
  bench_started "$FLOOR_PID"
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$BENCH_NAME: the floor did not listen on port $1" >&2
  return 1
}

# bench_pitwall_embedded PORT LOG: one pitwall process, everything in it, no limit of its
# own on connections (its descriptor cap is the process limit minus a reserve); its pid in
# SERVER_PID once it answers.
bench_pitwall_embedded() {
  printf 'server:\n  max_connections: 1000000\n' >"$TMP/embedded.yaml"
  "$PITWALL" --host 127.0.0.1 --port "$1" --history "$TMP/embedded.db" --log-level warn \
    --config "$TMP/embedded.yaml" 2>"$2" &
  SERVER_PID=$!
  bench_started "$SERVER_PID"
  bench_wait_health "$1" "$2"
}

# bench_kafka_start DIR: a local broker and the fake registry (tools/kafka/kafka_env.sh) in
# DIR, stopped by the cleanup; KAFKA_BOOTSTRAP and SCHEMA_REGISTRY_URL set.
bench_kafka_start() {
  BENCH_KAFKA=$1
  bash tools/kafka/kafka_env.sh start "$BENCH_KAFKA" >/dev/null
  # shellcheck disable=SC1091
  . "$BENCH_KAFKA/env"
}

# bench_kafka_stop: the environment of bench_kafka_start stopped and its data deleted now.
bench_kafka_stop() {
  bash tools/kafka/kafka_env.sh stop "$BENCH_KAFKA" >/dev/null 2>&1 || true
  BENCH_KAFKA=
}

# bench_pitwall_edges N PORT: after bench_kafka_start, one runner (roles runner and
# commentary, no HTTP server) and N edges sharing PORT (--reuse-port). Pids in RUNNER_PID
# and EDGE_PIDS; returns once the port answers. Logs in TMP/runner.log, TMP/edgeI.log.
bench_pitwall_edges() {
  local i
  cat >"$TMP/edges.yaml" <<YAML
log_level: warn
server:
  max_connections: 1000000
kafka:
  bootstrap.servers: "$KAFKA_BOOTSTRAP"
  schema_registry_url: "$SCHEMA_REGISTRY_URL"
  topic_partitions: 1
  consumer_group: "fanout-bench"
YAML
  # The runner has no HTTP server (no edge role): it takes the start request from the
  # control topic whenever its consumer group has joined.
  "$PITWALL" --config "$TMP/edges.yaml" --role runner,commentary \
    --history "$TMP/runner.db" 2>"$TMP/runner.log" &
  RUNNER_PID=$!
  bench_started "$RUNNER_PID"
  EDGE_PIDS=()
  for i in $(seq "$1"); do
    "$PITWALL" --config "$TMP/edges.yaml" --role edge --reuse-port --port "$2" \
      --history "$TMP/edge$i.db" 2>"$TMP/edge$i.log" &
    EDGE_PIDS+=("$!")
    bench_started "$!"
  done
  bench_wait_health "$2" "$TMP/edge1.log"
}

# bench_start_race PORT SECONDS: a race at 10 Hz started through PORT; its id in RACE.
bench_start_race() {
  RACE=$(curl -fsS -X POST "http://127.0.0.1:$1/api/race/start" \
    -d "{\"driver_name\":\"Lando Norris\",\"duration_s\":$2,\"tick_hz\":10}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["race_id"])')
}

# bench_wait_race_known PORT: until 30 answers in a row through PORT know RACE (new
# connections, so with several edges on the port the kernel's hash asks each of them).
bench_wait_race_known() {
  local ok=0
  for _ in $(seq 600); do
    if curl -fsS "http://127.0.0.1:$1/api/race/$RACE/status" >/dev/null 2>&1; then
      ok=$((ok + 1))
      [ "$ok" -ge 30 ] && return 0
    else
      ok=0
      sleep 0.1
    fi
  done
  echo "$BENCH_NAME: the server(s) on port $1 never all knew race $RACE" >&2
  return 1
}

# bench_figures REPORT: from one sse_load report, on one line: p50 p99 (ms, the steady phase
# when it has samples, else the whole run) server-CPU% server-RSS-max-kB bytes/client/min
# positions/client/s (whole run, the ramp included) lost connected loadgen-CPU%
# positions/client/s-steady (0 without a steady phase; 10 at 10 Hz)
bench_figures() {
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def g(pat, default="0"):
    m = re.search(pat, t)
    return m.group(1) if m else default
h = "steady[^)]*" if re.search(r"delay ms \(steady[^)]*\): p50", t) else "all"
print(g(r"delay ms \(" + h + r"\): p50 (\d+)"), g(r"delay ms \(" + h + r"\): p50 \d+  p99 (\d+)"),
      g(r"server CPU: .*\(([0-9.]+)% of one core\)"), g(r"max sampled (\d+) kB"),
      g(r"per client: (\d+) bytes per minute"), g(r"([0-9.]+) positions frames/s"),
      g(r" lost (\d+) "), g(r"connected (\d+) "),
      g(r"load generator: .*\(([0-9.]+)% of one core\)"),
      g(r"steady: ([0-9.]+) positions frames/s"))
PY
}

# bench_frame_bytes REPORT: the bytes a server put on the wire per client per positions tick
# in that run (at least 200, the floor's smallest frame).
bench_frame_bytes() {
  local bpm pps
  read -r _ _ _ _ bpm pps _ _ _ _ < <(bench_figures "$1")
  awk -v b="$bpm" -v p="$pps" 'BEGIN { f = (p > 0) ? b / 60 / p : 0; if (f < 200) f = 200; printf "%d", f }'
}

# bench_loadgens PREFIX CLIENTS RAMP URL PID [URL PID]...: one sse_load process per URL at
# once, each with CLIENTS clients connecting at RAMP a second and sampling server PID, the
# options in LOAD_ARGS (an array: duration, workers, source addresses...) added; reports in
# PREFIX1.txt, PREFIX2.txt... Returns when all have ended.
bench_loadgens() {
  local prefix=$1 clients=$2 ramp=$3 i=0 p pids=()
  shift 3
  while [ $# -ge 2 ]; do
    i=$((i + 1))
    "$LOAD" --url "$1" --server-pid "$2" --clients "$clients" --ramp-per-sec "$ramp" \
      "${LOAD_ARGS[@]}" >"$prefix$i.txt" 2>/dev/null &
    pids+=("$!")
    shift 2
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
}

# bench_merged REPORT...: the reports of load generators that ran at once, on one line:
# connected lost p50-lowest p50-highest p99-highest (the p99 of all their clients together
# is at most this: no more than 1 % of any part, so of the whole, is above it)
# server-CPU%-sum server-RSS-max-kB-sum positions/client/s-lowest loadgen-CPU%-sum
# bytes/client/min-mean positions/client/s-steady-lowest
bench_merged() {
  local f
  for f in "$@"; do bench_figures "$f"; done | awk '
    { p50lo = (NR == 1 || $1 < p50lo) ? $1 : p50lo; p50hi = ($1 > p50hi) ? $1 : p50hi
      p99 = ($2 > p99) ? $2 : p99; cpu += $3; rss += $4; bpm += $5
      fps = (NR == 1 || $6 < fps) ? $6 : fps; lost += $7; con += $8; lcpu += $9
      steady = (NR == 1 || $10 < steady) ? $10 : steady }
    END { printf "%d %d %d %d %d %.0f %d %.2f %.0f %.0f %.2f\n", con, lost, p50lo, p50hi, p99, cpu,
          rss, fps, lcpu, NR ? bpm / NR : 0, steady }'
}

# bench_cpu_ticks PID: user + system clock ticks the process has used so far.
bench_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# bench_machine_ticks: "busy total" clock ticks of all CPUs so far (/proc/stat).
bench_machine_ticks() {
  awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat
}
