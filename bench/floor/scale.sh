#!/usr/bin/env bash
# pitwall against the raw-epoll floor at fan-out counts past one process (docs/BENCHMARKS.md,
# "floor at scale"): for each viewer count, rounds alternate A (pitwall in its best setup for
# that count) and B (the floor), measured by the same load generators (bench/sse_load) with
# the same clients, source addresses, ramp and duration, the floor sending per 100 ms as many
# bytes as pitwall put on the wire per client per positions tick in round A.
#
# No process may hold more than the hard open-file limit (`ulimit -Hn`, 20,000 here) of
# descriptors, so a count is split over P = ceil(COUNT / PER_PROCESS) load generators, each
# with COUNT / P clients and RAMP / P connections a second:
#   - pitwall: up to EMBEDDED_MAX viewers one process with everything in it (no Kafka); past
#     it a Kafka broker, a runner and P edges sharing one port (SO_REUSEPORT), the race
#     reaching the edges through Kafka (bench/fanout/reuseport.sh's setup);
#   - the floor (../shared/bench/rawfan_pw.c, FLOOR_SRC, compiled to a temporary directory,
#     never copied here) has no SO_REUSEPORT: P processes, one port each, load generator i on
#     floor i.
# Per run it prints p50 and p99 (the highest of the load generators' p99s, so the p99 of all
# clients together is at most that), the positions frames a client received a second after
# the ramp (the floor skips the ticks its loop is late for, so its delay can stay low while
# it sends less than 10 Hz; pitwall queues them), the CPU of every server-side process (for
# pitwall's edges setup: the edges, the runner, the broker and the registry) and of the load
# generators in % of one core over the run, how busy the whole machine was (% of all its
# CPUs), the servers' RSS; then per count the p99 ratio pitwall / floor, and the largest
# count at which each kept p99 < 250 ms at 10 Hz (>= 9.5 frames a second) in every round.
#
# Knobs: COUNTS ("10000 20000 30000 40000"), ROUNDS (1), PER_PROCESS (15000), EMBEDDED_MAX
# (19000), DURATION (25 s after the ramp), RAMP (2000/s in all), WORKERS (2 threads per load
# generator), SOURCE_ADDRS (4: 127.0.0.2..5, past one address's ephemeral ports), BUILD,
# FLOOR_SRC. What it shares with the other fan-out benchmarks is in bench/lib/fanout_lib.sh.
# Loads the whole machine: run it alone (e.g. under the project's heavy-job lock).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/fanout_lib.sh
. bench/lib/fanout_lib.sh
COUNTS=${COUNTS:-10000 20000 30000 40000}
ROUNDS=${ROUNDS:-1}
PER_PROCESS=${PER_PROCESS:-15000}
EMBEDDED_MAX=${EMBEDDED_MAX:-19000}
DURATION=${DURATION:-25}
RAMP=${RAMP:-2000}
WORKERS=${WORKERS:-2}
SOURCE_ADDRS=${SOURCE_ADDRS:-4}
TARGET_P99_MS=250
MIN_STEADY_FPS=9.5 # "at 10 Hz": a server may fall behind by skipping ticks instead of queueing
bench_init scale
bench_floor_build || exit 0
HZ=$(getconf CLK_TCK)

# Clock ticks used so far by the processes SERVERS (an array of pids) and by the machine:
# "server-ticks machine-busy-ticks machine-total-ticks".
ticks_now() {
  local p s=0
  for p in "${SERVERS[@]}"; do s=$(( s + $(bench_cpu_ticks "$p") )); done
  echo "$s $(bench_machine_ticks)"
}

# run_loadgens PREFIX COUNT N URL PID [URL PID]...: N load generators with COUNT / N
# clients each; CPU of SERVERS and of the machine over the run in PREFIX.cpu.
run_loadgens() {
  local prefix=$1 count=$2 n=$3 t0 t1
  shift 3
  LOAD_ARGS=(--duration "$(( DURATION + count / RAMP ))" --workers "$WORKERS"
             --source-addrs "$SOURCE_ADDRS")
  t0=$(ticks_now)
  bench_loadgens "$prefix" "$(( count / n ))" "$(( RAMP / n ))" "$@"
  t1=$(ticks_now)
  echo "$t0 $t1" >"$prefix.cpu"
}

# report WHO PREFIX N RSS_REPORTS: one line of the table from a run's reports; RSS_REPORTS
# is how many of them sampled distinct server processes (their RSS summed).
report() {
  local who=$1 prefix=$2 n=$3 rss_n=$4 f
  local -a reports=() rss_reports=()
  for f in $(seq "$n"); do reports+=("$prefix$f.txt"); done
  for f in $(seq "$rss_n"); do rss_reports+=("$prefix$f.txt"); done
  read -r con lost p50lo p50hi p99 _ _ _ gencpu _ fps < <(bench_merged "${reports[@]}")
  read -r _ _ _ _ _ _ rss _ _ _ _ < <(bench_merged "${rss_reports[@]}")
  read -r s0 b0 m0 s1 b1 m1 <"$prefix.cpu"
  local secs
  secs=$(awk -v m="$(( m1 - m0 ))" -v hz="$HZ" -v c="$(nproc)" 'BEGIN { print m / hz / c }')
  awk -v who="$who" -v count="$COUNT" -v n="$n" -v p50lo="$p50lo" -v p50hi="$p50hi" -v p99="$p99" \
      -v scpu="$(( s1 - s0 ))" -v secs="$secs" -v hz="$HZ" -v gencpu="$gencpu" \
      -v busy="$(( b1 - b0 ))" -v total="$(( m1 - m0 ))" -v rss="$rss" -v con="$con" \
      -v fps="$fps" -v lost="$lost" -v frame="${FRAME:--}" '
    BEGIN { srv = 100 * scpu / hz / secs; k = con / 1000
      printf "%-7s %-11s %5d %5d-%-5d %6d %7.0f %7.0f %6.0f %7.1f %9.2f %6.1f %7.1f %5.2f %5d %9d %6s\n",
             count, who, n, p50lo, p50hi, p99, srv, gencpu, 100 * busy / total, rss / 1024,
             rss / (con ? con : 1), srv / (k ? k : 1), gencpu / (k ? k : 1), fps, lost, con, frame }'
  echo "$COUNT $who $p99 $fps" >>"$TMP/p99.txt"
}

run_pitwall() { # PREFIX N
  local prefix=$1 n=$2 port i targets=()
  port=$(bench_free_port)
  if [ "$COUNT" -le "$EMBEDDED_MAX" ]; then
    bench_pitwall_embedded "$port" "$TMP/pitwall.log"
    SERVERS=("$SERVER_PID")
  else
    bench_kafka_start "$TMP/kafka"
    bench_pitwall_edges "$n" "$port"
    SERVERS=("$RUNNER_PID" "${EDGE_PIDS[@]}" "$(cat "$BENCH_KAFKA/broker.pid")"
             "$(cat "$BENCH_KAFKA/registry.pid")")
  fi
  bench_start_race "$port" $(( DURATION + COUNT / RAMP + 60 ))
  bench_wait_race_known "$port"
  for i in $(seq "$n"); do
    if [ "$COUNT" -le "$EMBEDDED_MAX" ]; then
      targets+=("http://127.0.0.1:$port/api/race/$RACE/stream" "$SERVER_PID")
    else
      targets+=("http://127.0.0.1:$port/api/race/$RACE/stream" "${EDGE_PIDS[$((i - 1))]}")
    fi
  done
  run_loadgens "$prefix" "$COUNT" "$n" "${targets[@]}"
  if [ "$COUNT" -le "$EMBEDDED_MAX" ]; then
    bench_stop "$SERVER_PID"
    SETUP="embedded"
    RSS_N=1
  else
    bench_stop "${EDGE_PIDS[@]}" "$RUNNER_PID"
    bench_kafka_stop
    SETUP="edges"
    RSS_N=$n
  fi
}

run_floor() { # PREFIX N FRAME_BYTES
  local prefix=$1 n=$2 bytes=$3 port i targets=() pids=()
  for i in $(seq "$n"); do
    port=$(bench_free_port)
    bench_floor_start "$port" $(( DURATION + COUNT / RAMP + 10 )) "$bytes" "$TMP/floor$i.log"
    pids+=("$FLOOR_PID")
    targets+=("http://127.0.0.1:$port/x" "$FLOOR_PID")
  done
  SERVERS=("${pids[@]}")
  run_loadgens "$prefix" "$COUNT" "$n" "${targets[@]}"
  bench_stop "${pids[@]}"
}

echo "scale: viewer counts $COUNTS, $ROUNDS round(s), up to $PER_PROCESS viewers per process," \
     "pitwall embedded up to $EMBEDDED_MAX, ${DURATION}s after a ramp of $RAMP/s, $WORKERS threads" \
     "per load generator, $SOURCE_ADDRS source addresses; $(nproc) CPUs, open-file hard limit" \
     "$(ulimit -Hn), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(procs: server processes and load generators; srv%/gen%: CPU of the server side / the load"
echo " generators in % of one core; busy%: of all CPUs; per 1k: % of one core per 1,000 viewers;"
echo " fr/s: positions frames a client received a second after the ramp, the lowest of the load"
echo " generators: 10 at 10 Hz)"
printf '%-7s %-11s %5s %11s %6s %7s %7s %6s %7s %9s %6s %7s %5s %5s %9s %6s\n' viewers who procs \
  p50ms p99ms srv% gen% busy% rssMB KB/viewer srv/1k gen/1k fr/s lost connected frameB
for COUNT in $COUNTS; do
  n=$(( (COUNT + PER_PROCESS - 1) / PER_PROCESS ))
  for round in $(seq "$ROUNDS"); do
    FRAME=
    run_pitwall "$TMP/a$COUNT-$round-" "$n"
    FRAME=$(bench_frame_bytes "$TMP/a$COUNT-${round}-1.txt")
    report "pw-$SETUP" "$TMP/a$COUNT-$round-" "$n" "$RSS_N"
    run_floor "$TMP/b$COUNT-$round-" "$n" "$FRAME"
    report floor "$TMP/b$COUNT-$round-" "$n" "$n"
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at $(date -u +%H:%M:%S)"
  done
done

echo "per count (worst round), pitwall / floor; held: p99 < $TARGET_P99_MS ms with at least" \
     "$MIN_STEADY_FPS positions frames a second reaching every load generator's clients:"
awk -v target="$TARGET_P99_MS" -v min_fps="$MIN_STEADY_FPS" '
  { who = ($2 == "floor") ? "floor" : "pitwall"; k = $1 SUBSEP who
    if (!(k in worst) || $3 > worst[k]) worst[k] = $3
    if (!(k in slow) || $4 < slow[k]) slow[k] = $4
    if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
  END {
    for (i = 1; i <= n; i++) {
      c = order[i]; a = worst[c SUBSEP "pitwall"]; b = worst[c SUBSEP "floor"]
      fa = slow[c SUBSEP "pitwall"]; fb = slow[c SUBSEP "floor"]
      printf "%7d viewers: pitwall p99 %6d ms at %5.2f fr/s, floor %6d ms at %5.2f fr/s, p99 ratio %.2fx\n",
             c, a, fa, b, fb, a / (b ? b : 1)
      if (a < target && fa >= min_fps) held_a = c
      if (b < target && fb >= min_fps) held_b = c
    }
    printf "largest count held: pitwall %s, floor %s\n", held_a ? held_a : "none",
           held_b ? held_b : "none" }' "$TMP/p99.txt"
for f in "$TMP"/[ab]*.txt; do echo "--- $(basename "$f")"; cat "$f"; done
