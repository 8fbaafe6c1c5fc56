#!/usr/bin/env bash
# Browser end-to-end tests: Debian's chromium driven by playwright-core against the real
# pitwall binary (build/src/app/pitwall) serving the built UI (web/dist). Screenshots of the
# main states go to web/e2e/out/ (PITWALL_SCREENSHOTS_DIR overrides).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x build/src/app/pitwall ] || { echo "60-web-e2e: build/src/app/pitwall missing (make build)"; exit 1; }
[ -x /usr/bin/chromium ] || { echo "60-web-e2e: /usr/bin/chromium missing (scripts/setup.sh installs it)"; exit 1; }
bash scripts/build-web.sh
cd web
node --test e2e/app.e2e.test.mjs
