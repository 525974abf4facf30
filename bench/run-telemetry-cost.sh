#!/usr/bin/env bash
# What sidecar telemetry costs per request: the same Release build of meshnet-proxy and meshnet-control run three
# ways side by side by run-sidecar-ab.sh (interleaved rounds, ratios within each round):
#   off      MESHNET_METRICS=off: no request metrics, TCP counters or access log (the /metrics endpoint still serves)
#   metrics  the default: request counter + latency histogram per request, TCP byte counters on every read and write
#   log      metrics plus the JSON access log (MESHNET_ANNOTATIONS=meshnet.io/access-log=json), written to a file as
#            a sidecar's stdout is in a pod
# Usage: bench/run-telemetry-cost.sh [--rounds 5] [--duration-s 8] [--out-prefix bench/results/DATE-issue7-telemetry-cost]
# Writes PREFIX.tsv (raw rows) and PREFIX.md (the summary table), and prints the summary.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
duration=8
prefix="bench/results/$(date -u +%Y-%m-%d)-issue7-telemetry-cost"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --duration-s) duration="$2"; shift 2 ;;
    --out-prefix) prefix="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

dotnet build -c Release src/MeshNet.Proxy -v q -nologo >/dev/null
dotnet build -c Release src/MeshNet.ControlPlane -v q -nologo >/dev/null
proxy=artifacts/bin/MeshNet.Proxy/release/meshnet-proxy.dll
control=artifacts/bin/MeshNet.ControlPlane/release/meshnet-control.dll

summary=$(bench/run-sidecar-ab.sh \
  --variant "off=$proxy:$control" --variant "metrics=$proxy:$control" --variant "log=$proxy:$control" \
  --env "off:MESHNET_METRICS=off" --env "log:MESHNET_ANNOTATIONS=meshnet.io/access-log=json" \
  --rounds "$rounds" --duration-s "$duration" --out "$prefix.tsv")

{
  echo "# Sidecar telemetry cost ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD))"
  echo
  echo "Command: \`bench/run-telemetry-cost.sh --rounds $rounds --duration-s $duration\` (two sidecars per variant, wrk -c16"
  echo "for RPS and CPU per request of both sidecars, open-loop 1000 RPS for p99). Machine: $(nproc) cores,"
  echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "$summary"
} >"$prefix.md"
cat "$prefix.md"
