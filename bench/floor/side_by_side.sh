#!/usr/bin/env bash
# pitwall against the raw-epoll floor, side by side (docs/BENCHMARKS.md, "floor").
#
# The floor is ../shared/bench/rawfan_pw.c (FLOOR_SRC): one thread, epoll, one send of one
# frame per client per period, nothing else. It is compiled to a temporary directory from
# there, never copied into this repository. Rounds alternate A (pitwall: a race at 10 Hz on
# its combined stream, deltas, gzip asked for unless GZIP=0) and B (the floor sending, per
# period, as many bytes as pitwall put on the wire per client per positions tick in round A),
# measured by the same load generator (bench/sse_load) with the same clients, rate and
# duration. It prints each run and the ratios pitwall / floor of the same round.
#
# Knobs: CLIENTS (10000), DURATION (25 s), RAMP (2000/s), WORKERS (2), ROUNDS (2), GZIP (1),
# SOURCE_ADDRS (1; more spread the clients over 127.0.0.2..), BUILD (build), FLOOR_SRC.
# What it shares with the other fan-out benchmarks is in bench/lib/fanout_lib.sh.
# Loads the whole machine: run it alone (e.g. under the project's heavy-job lock).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=../lib/fanout_lib.sh
. bench/lib/fanout_lib.sh
CLIENTS=${CLIENTS:-10000}
DURATION=${DURATION:-25}
RAMP=${RAMP:-2000}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-2}
GZIP=${GZIP:-1}
SOURCE_ADDRS=${SOURCE_ADDRS:-1}
bench_init side_by_side
bench_floor_build || exit 0
LOAD_ARGS=(--clients "$CLIENTS" --duration "$DURATION" --ramp-per-sec "$RAMP" --workers "$WORKERS"
           --source-addrs "$SOURCE_ADDRS")
[ "$GZIP" = 1 ] && LOAD_ARGS+=(--gzip)

run_pitwall() {
  local port out=$1
  port=$(bench_free_port)
  bench_pitwall_embedded "$port" "$TMP/pitwall.log"
  "$LOAD" --url "http://127.0.0.1:$port/api/race/{id}/stream" --start-race \
    --race-duration $(( DURATION + CLIENTS / RAMP + 60 )) --tick-hz 10 --server-pid "$SERVER_PID" \
    "${LOAD_ARGS[@]}" >"$out" 2>/dev/null || true
  bench_stop "$SERVER_PID"
}

run_floor() {
  local port out=$1 bytes=$2
  port=$(bench_free_port)
  bench_floor_start "$port" $(( DURATION + CLIENTS / RAMP + 10 )) "$bytes" "$TMP/floor.log"
  "$LOAD" --url "http://127.0.0.1:$port/x" --server-pid "$FLOOR_PID" "${LOAD_ARGS[@]}" \
    >"$out" 2>/dev/null || true
  bench_stop "$FLOOR_PID"
}

echo "side_by_side: $CLIENTS clients, ${DURATION}s, ramp $RAMP/s, $WORKERS load threads," \
     "gzip $GZIP, $SOURCE_ADDRS source address(es), $ROUNDS rounds; $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-7s %6s %6s %6s %8s %11s %7s %5s %8s %9s\n' round who p50ms p99ms cpu% rssMB bytes/min fr/s lost frameB connected
P99_RATIOS=()
for round in $(seq "$ROUNDS"); do
  run_pitwall "$TMP/a$round.txt"
  read -r ap50 ap99 acpu arss abpm apps alost acon _ _ < <(bench_figures "$TMP/a$round.txt")
  # The floor sends what pitwall put on the wire per client per positions tick.
  frame=$(bench_frame_bytes "$TMP/a$round.txt")
  printf '%-8s %-7s %6s %6s %6s %8.1f %11s %7s %5s %8s %9s\n' "$round" pitwall "$ap50" "$ap99" "$acpu" \
    "$(awk -v k="$arss" 'BEGIN{print k/1024}')" "$abpm" "$apps" "$alost" "$frame" "$acon"
  run_floor "$TMP/b$round.txt" "$frame"
  read -r bp50 bp99 bcpu brss bbpm bpps blost bcon _ _ < <(bench_figures "$TMP/b$round.txt")
  printf '%-8s %-7s %6s %6s %6s %8.1f %11s %7s %5s %8s %9s\n' "$round" floor "$bp50" "$bp99" "$bcpu" \
    "$(awk -v k="$brss" 'BEGIN{print k/1024}')" "$bbpm" "$bpps" "$blost" "$frame" "$bcon"
  awk -v a="$ap99" -v b="$bp99" -v c="$ap50" -v d="$bp50" -v e="$acpu" -v f="$bcpu" -v g="$arss" -v h="$brss" \
    -v la="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN { printf "ratio    p50 %.2fx  p99 %.2fx  server CPU %.2fx  RSS %.2fx (pitwall / floor); load average %s\n", c/(d?d:1), a/(b?b:1), e/(f?f:1), g/(h?h:1), la }'
  P99_RATIOS+=("$(awk -v a="$ap99" -v b="$bp99" 'BEGIN { printf "%.2f", a/(b?b:1) }')")
done
printf '%s\n' "${P99_RATIOS[@]}" | sort -n | awk '{ r[NR] = $1; s += $1; all = all " " $1 }
  END { m = (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2
        printf "p99 ratios (sorted):%s; mean %.2fx, median %.2fx over %d rounds; load average now %s\n",
               all, s / NR, m, NR, la }' la="$(cut -d' ' -f1-3 /proc/loadavg)"
for f in "$TMP"/a*.txt; do echo "--- pitwall run $(basename "$f")"; cat "$f"; done
for f in "$TMP"/b*.txt; do echo "--- floor run $(basename "$f")"; cat "$f"; done
