#!/usr/bin/env bash
# Builds the web UI into web/dist when its sources changed. Without a web/package.json
# (early in the project) it leaves the minimal page in web/public as the UI.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f package.json ]; then
  mkdir -p dist && cp -r public/. dist/
  exit 0
fi
stamp=node_modules/.pitwall-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi
newest_src=$(find src public index.html vite.config.* package.json -newer dist/index.html 2>/dev/null | head -1 || true)
if [ ! -f dist/index.html ] || [ -n "$newest_src" ]; then
  npm run build --silent
fi
