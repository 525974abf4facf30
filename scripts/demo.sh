#!/usr/bin/env bash
# Builds what the demo needs (Release) and runs `meshctl demo`: the blog sample on loopback pod IPs, traffic
# through a client sidecar, then a summary of who answered. Arguments go to `meshctl demo`, for example:
#   scripts/demo.sh --duration 10s --json
# Needs only the .NET 10 SDK; no root, no containers, no cluster.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "demo.sh: the .NET 10 SDK is required (https://dotnet.microsoft.com/download)" >&2
  exit 1
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# The four programs the demo starts; building them alone keeps the demo independent of the test projects.
for project in src/MeshNet.Cli src/MeshNet.ControlPlane src/MeshNet.Proxy samples/blog/app; do
  echo "demo.sh: building $project (Release)" >&2
  dotnet build "$project" -c Release -nologo -v:q -clp:ErrorsOnly >&2
done

exec dotnet artifacts/bin/MeshNet.Cli/release/meshctl.dll demo "$@"
