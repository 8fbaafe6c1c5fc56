#!/usr/bin/env bash
# Web UI component tests (Vitest + jsdom): leaderboard, tracker, commentary, race trace,
# connection state and the stream client.
set -euo pipefail
cd "$(dirname "$0")/../../web"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
npx vitest run
