#!/usr/bin/env bash
# Runs every test: the C suites (normal and ASan+UBSan builds), then each extra suite that a
# part registers as scripts/test.d/*.sh (web unit tests, browser end-to-end, Kafka...).
# Fails if any suite fails; prints one summary line at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
JOBS=$(nproc)
failed=()
run() {
  local name=$1; shift
  echo "=== $name"
  if "$@"; then echo "=== $name: ok"; else echo "=== $name: FAILED"; failed+=("$name"); fi
}
run "ctest (release)" bash -c "cd build && ctest --output-on-failure -j $JOBS"
run "ctest (asan+ubsan)" bash -c "cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $JOBS"
for suite in scripts/test.d/*.sh; do
  [ -e "$suite" ] || continue
  run "$(basename "$suite" .sh)" bash "$suite"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "test suites failed: ${failed[*]}"
  exit 1
fi
echo "all test suites passed"
