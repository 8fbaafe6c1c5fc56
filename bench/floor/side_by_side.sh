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
# Loads the whole machine: run it alone (e.g. under the project's heavy-job lock).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
CLIENTS=${CLIENTS:-10000}
DURATION=${DURATION:-25}
RAMP=${RAMP:-2000}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-2}
GZIP=${GZIP:-1}
SOURCE_ADDRS=${SOURCE_ADDRS:-1}
FLOOR_SRC=${FLOOR_SRC:-../shared/bench/rawfan_pw.c}
PITWALL=$BUILD/src/app/pitwall
LOAD=$BUILD/bench/sse_load/sse_load
for bin in "$PITWALL" "$LOAD"; do
  [ -x "$bin" ] || { echo "side_by_side: $bin missing: run 'make build' first" >&2; exit 1; }
done
if [ ! -f "$FLOOR_SRC" ]; then
  echo "side_by_side: the floor's source $FLOOR_SRC is not here (FLOOR_SRC=...): nothing to compare"
  exit 0
fi
TMP=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT
gcc -O2 -o "$TMP/rawfan_pw" "$FLOOR_SRC"
ulimit -n "$(ulimit -Hn)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
LOAD_ARGS=(--clients "$CLIENTS" --duration "$DURATION" --ramp-per-sec "$RAMP" --workers "$WORKERS"
           --source-addrs "$SOURCE_ADDRS")
[ "$GZIP" = 1 ] && LOAD_ARGS+=(--gzip)

# Figures from an sse_load report: p50 p99 (steady) cpu% rss_max_kb bytes/client/min
# positions/client/s lost
figures() {
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def g(pat, default="0"):
    m = re.search(pat, t)
    return m.group(1) if m else default
# The steady histogram (after the ramp) when it has samples, else the whole run's.
h = "steady[^)]*" if re.search(r"delay ms \(steady[^)]*\): p50", t) else "all"
print(g(r"delay ms \(" + h + r"\): p50 (\d+)"), g(r"delay ms \(" + h + r"\): p50 \d+  p99 (\d+)"),
      g(r"\(([0-9.]+)% of one core\)"), g(r"max sampled (\d+) kB"),
      g(r"per client: (\d+) bytes per minute"), g(r"([0-9.]+) positions frames/s"),
      g(r" lost (\d+) "), g(r"connected (\d+) "))
PY
}

run_pitwall() {
  local port out=$1
  port=$(free_port)
  "$PITWALL" --host 127.0.0.1 --port "$port" --history "$TMP/history.db" --log-level warn \
    --config "$TMP/pitwall.yaml" 2>"$TMP/pitwall.log" &
  SERVER=$!
  for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break; sleep 0.1; done
  "$LOAD" --url "http://127.0.0.1:$port/api/race/{id}/stream" --start-race \
    --race-duration $(( DURATION + CLIENTS / RAMP + 60 )) --tick-hz 10 --server-pid "$SERVER" \
    "${LOAD_ARGS[@]}" >"$out" 2>/dev/null || true
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

run_floor() {
  local port out=$1 bytes=$2
  port=$(free_port)
  "$TMP/rawfan_pw" "$port" 100 $(( DURATION + CLIENTS / RAMP + 10 )) "$bytes" >"$TMP/floor.log" &
  SERVER=$!
  sleep 0.3
  "$LOAD" --url "http://127.0.0.1:$port/x" --server-pid "$SERVER" "${LOAD_ARGS[@]}" \
    >"$out" 2>/dev/null || true
  kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true; SERVER=
}

# pitwall's descriptor cap is the process limit minus a reserve; ask for all of it.
printf 'server:\n  max_connections: 1000000\n' > "$TMP/pitwall.yaml"
echo "side_by_side: $CLIENTS clients, ${DURATION}s, ramp $RAMP/s, $WORKERS load threads," \
     "gzip $GZIP, $SOURCE_ADDRS source address(es), $ROUNDS rounds; $(nproc) CPUs," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-7s %6s %6s %6s %8s %11s %7s %5s %8s %9s\n' round who p50ms p99ms cpu% rssMB bytes/min fr/s lost frameB connected
for round in $(seq "$ROUNDS"); do
  run_pitwall "$TMP/a$round.txt"
  read -r ap50 ap99 acpu arss abpm apps alost acon < <(figures "$TMP/a$round.txt")
  # The floor sends what pitwall put on the wire per client per positions tick.
  frame=$(awk -v b="$abpm" -v p="$apps" 'BEGIN { f = (p > 0) ? b / 60 / p : 0; if (f < 200) f = 200; printf "%d", f }')
  printf '%-8s %-7s %6s %6s %6s %8.1f %11s %7s %5s %8s %9s\n' "$round" pitwall "$ap50" "$ap99" "$acpu" \
    "$(awk -v k="$arss" 'BEGIN{print k/1024}')" "$abpm" "$apps" "$alost" "$frame" "$acon"
  run_floor "$TMP/b$round.txt" "$frame"
  read -r bp50 bp99 bcpu brss bbpm bpps blost bcon < <(figures "$TMP/b$round.txt")
  printf '%-8s %-7s %6s %6s %6s %8.1f %11s %7s %5s %8s %9s\n' "$round" floor "$bp50" "$bp99" "$bcpu" \
    "$(awk -v k="$brss" 'BEGIN{print k/1024}')" "$bbpm" "$bpps" "$blost" "$frame" "$bcon"
  awk -v a="$ap99" -v b="$bp99" -v c="$ap50" -v d="$bp50" -v e="$acpu" -v f="$bcpu" -v g="$arss" -v h="$brss" \
    'BEGIN { printf "ratio    p50 %.2fx  p99 %.2fx  server CPU %.2fx  RSS %.2fx (pitwall / floor)\n", c/(d?d:1), a/(b?b:1), e/(f?f:1), g/(h?h:1) }'
done
for f in "$TMP"/a*.txt; do echo "--- pitwall run $(basename "$f")"; cat "$f"; done
for f in "$TMP"/b*.txt; do echo "--- floor run $(basename "$f")"; cat "$f"; done
