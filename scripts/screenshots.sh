#!/usr/bin/env bash
# Refreshes the committed screenshots in docs/screenshots/ by running the browser
# end-to-end tests against the real pitwall binary (make screenshots: setup, build, web first).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bash scripts/build-web.sh
(cd web && PITWALL_SCREENSHOTS_DIR="$out" node --test e2e/app.e2e.test.mjs)
mkdir -p docs/screenshots
for name in start race-desktop race-reconnecting race-phone finish start-phone replay-desktop; do
  if [ -f "$out/$name.png" ]; then
    cp "$out/$name.png" "docs/screenshots/$name.png"
  else
    echo "screenshots: $name.png was not written" >&2
    exit 1
  fi
done
echo "screenshots: refreshed docs/screenshots/ ($(ls docs/screenshots | wc -l) files)"
