#!/usr/bin/env bash
# libFuzzer runs of the fuzz targets (fuzz/*/): each is built with clang, libFuzzer and
# ASan+UBSan into build-fuzz/ and run for FUZZ_SECONDS (default 25) from a scratch copy of
# its committed seed corpus (libFuzzer adds what it finds there; the seeds in the
# repository stay as they are). A crash, a leak, a sanitizer report, a trap in a target's
# own checks or an input that takes over 10 s fails the suite; the input that did it is
# left in build-fuzz/artifacts/. The same targets also run as ctests (standalone driver,
# deterministic mutations) in the release and ASan builds.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${FUZZ_SECONDS:-25}
# target: its corpus
TARGETS=(
  "fuzz_http:fuzz/http/corpus"
  "fuzz_replay:fuzz/replay/corpus"
  "fuzz_config:fuzz/config/corpus"
)
command -v clang >/dev/null || { echo "70-fuzz: clang missing (scripts/setup.sh installs it)"; exit 1; }
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPITWALL_SANITIZE=ON -DPITWALL_LIBFUZZER=ON >/dev/null
fi
names=()
for t in "${TARGETS[@]}"; do names+=("${t%%:*}"); done
cmake --build build-fuzz --target "${names[@]}"
mkdir -p build-fuzz/artifacts
for t in "${TARGETS[@]}"; do
  name=${t%%:*}
  seeds=${t#*:}
  bin=$(find build-fuzz -type f -name "$name" -perm -u+x | head -n1)
  work=$(mktemp -d)
  cp "$seeds"/* "$work"/
  echo "70-fuzz: $name for ${SECONDS_EACH}s from $(ls "$seeds" | wc -l) seeds"
  if ! "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
      -artifact_prefix=build-fuzz/artifacts/"$name"- -print_final_stats=1 "$work" \
      >"build-fuzz/$name.log" 2>&1; then
    tail -n 60 "build-fuzz/$name.log"
    rm -rf "$work"
    echo "70-fuzz: $name FAILED (log: build-fuzz/$name.log)"
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|Done [0-9]+ runs" "build-fuzz/$name.log" || true
  echo "70-fuzz: $name corpus $(ls "$seeds" | wc -l) -> $(ls "$work" | wc -l) inputs, no failure"
  rm -rf "$work"
done
