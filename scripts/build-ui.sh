#!/usr/bin/env bash
# Builds the dashboard (ui/) into the control plane's embedded static files (src/MeshNet.ControlPlane/wwwroot/ui/).
# The bundle is committed, so building .NET needs no node; run this after changing ui/ and commit both.
#   scripts/build-ui.sh          rebuild in place
#   scripts/build-ui.sh --check  rebuild into a temporary folder and fail if it differs from the committed bundle
set -euo pipefail
cd "$(dirname "$0")/../ui"

if ! command -v npm >/dev/null 2>&1; then
  echo "build-ui: npm is missing (scripts/install-deps.sh installs Debian's nodejs and npm)" >&2
  exit 1
fi

npm ci --no-audit --no-fund --loglevel=error >/dev/null

if [ "${1:-}" = "--check" ]; then
  fresh=$(mktemp -d)
  trap 'rm -rf "$fresh"' EXIT
  node build.mjs "$fresh"
  if ! diff -r "$fresh" ../src/MeshNet.ControlPlane/wwwroot/ui >/dev/null; then
    echo "build-ui: the committed bundle is not what ui/ builds to; run scripts/build-ui.sh and commit the result" >&2
    diff -rq "$fresh" ../src/MeshNet.ControlPlane/wwwroot/ui >&2 || true
    exit 1
  fi
  echo "build-ui: committed bundle matches ui/"
else
  npm run build --silent
fi
