#!/usr/bin/env bash
# Installs everything pitwall needs to build, run and test, on Debian 12 as root.
# Idempotent and fast when all is installed: it only asks apt when a package is missing.
# Parts that need more (web UI, Kafka test broker, ...) add scripts to scripts/setup.d/,
# which run in name order after the Debian packages are in.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  libuv1-dev libhttp-parser-dev libjansson-dev librdkafka-dev libavro-dev
  libcurl4-openssl-dev libyaml-dev libsqlite3-dev libcmocka-dev clang-format
  python3
)
# Node.js: the machine's own if present (any >= 18), else Debian's.
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
for extra in scripts/setup.d/*.packages; do
  [ -e "$extra" ] || continue
  while read -r pkg _; do
    case "$pkg" in ''|'#'*) ;; *) PACKAGES+=("$pkg") ;; esac
  done < "$extra"
done

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing from Debian: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  bash "$step"
done
