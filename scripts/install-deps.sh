#!/usr/bin/env bash
# Installs the Debian packages the test suite drives as real peers and clients.
# Idempotent and quiet when everything is present; needs root (or sudo) only when something is missing.
set -euo pipefail

# command -> Debian package that provides it
declare -A wanted=(
  [dig]=dnsutils
  [curl]=curl
  [ip]=iproute2
  [iptables]=iptables
  [openssl]=openssl
  [promtool]=prometheus
  # The dashboard's browser test (headless, driven over the DevTools protocol) and scripts/build-ui.sh --check.
  [chromium]=chromium
  [node]=nodejs
  [npm]=npm
)

missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "install-deps: not root and no sudo; tests that need ${missing[*]} will say they are skipped" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
