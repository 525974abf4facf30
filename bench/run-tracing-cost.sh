#!/usr/bin/env bash
# What tracing costs the sidecar: the same Release build measured three ways, interleaved by run-sidecar-ab.sh on
# one machine (so a busy machine slows every variant alike): tracing off (no exporter: the default), 1 % of new
# traces sampled, and 100 % sampled. wrk sends no traceparent, so every request is a new trace decided at the client
# sidecar; a sampled request makes three spans (client sidecar: outbound + attempt; server sidecar: inbound), an
# unsampled one none (only a traceparent marked unsampled). Spans go over OTLP HTTP/protobuf to the benchmark's
# nginx, which answers every POST /v1/traces with 200: the export's cost on the sidecar is real, the collector's is not.
#
# Usage: [TRACING_BINS=PROXY_DLL:CONTROL_DLL] bench/run-tracing-cost.sh [--rounds 5] [--duration-s 8] [any other
#          run-sidecar-ab.sh option]
# Output: the A/B summary (RPS, CPU µs per request of both sidecars, p99 at a fixed rate; ratios against "off") on
# stdout, rows in bench/results/<date>-tracing-cost.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."

# TRACING_BINS=PROXY_DLL:CONTROL_DLL measures another build (a worktree of some commit) instead of this tree's.
if [ -n "${TRACING_BINS:-}" ]; then
  bins=$TRACING_BINS
else
  dotnet build -c Release src/MeshNet.Proxy -v q -nologo >/dev/null
  dotnet build -c Release src/MeshNet.ControlPlane -v q -nologo >/dev/null
  bins=artifacts/bin/MeshNet.Proxy/release/meshnet-proxy.dll:artifacts/bin/MeshNet.ControlPlane/release/meshnet-control.dll
fi

# run-sidecar-ab.sh's backend nginx (127.66.20.1:8080) doubles as the span sink.
sink="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.66.20.1:8080 OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_TRACES_SAMPLER=parentbased_traceidratio"
env_args=()
for word in $sink; do
  env_args+=(--env "sampled-1pct:$word" --env "sampled-100pct:$word")
done
env_args+=(--env "sampled-1pct:OTEL_TRACES_SAMPLER_ARG=0.01" --env "sampled-100pct:OTEL_TRACES_SAMPLER_ARG=1")

mkdir -p bench/results
exec bench/run-sidecar-ab.sh \
  --variant "off=$bins" --variant "sampled-1pct=$bins" --variant "sampled-100pct=$bins" \
  "${env_args[@]}" --out "bench/results/$(date +%F)-tracing-cost.tsv" "$@"
