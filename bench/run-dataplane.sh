#!/usr/bin/env bash
# Data-plane benchmark: direct, meshnet (two sidecars), haproxy and stock yarp (two hops each), interleaved.
# Usage: bench/run-dataplane.sh [--rounds 5] [--duration-s 10] [--warmup-s 2] [--topologies direct,meshnet,haproxy,yarp]
#        [--connections 16,128] [--rates 1000,5000] [--h2-rate 1000] [--skip-h2] [--no-pin] [--label NAME] [--policy]
# --policy runs the mesh with bench/dataplane/manifests/mesh-policy.yaml (a TrafficPolicy with retries, timeouts,
# circuit breaker and outlier detection on every Service) instead of mesh.yaml, labelled "policy" unless --label says.
# Writes bench/results/<date>-dataplane.md and .json; process logs under bench/results/tmp/.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
export BENCH_BUILD_LOG="${TMPDIR:-/tmp}/meshnet-bench-build.log"

bench_require wrk:wrk h2load:nghttp2-client haproxy:haproxy nginx:nginx-light taskset:util-linux
bench_build bench/dataplane/MeshNet.Bench.Dataplane bench/dataplane/MeshNet.Bench.LoadGen \
  bench/dataplane/MeshNet.Bench.YarpBaseline bench/dataplane/MeshNet.Bench.GrpcBackend \
  src/MeshNet.Proxy src/MeshNet.ControlPlane

export BENCH_COMMAND="bench/run-dataplane.sh $*"
bench_dll=artifacts/bin/MeshNet.Bench.Dataplane/release/meshnet-bench-dataplane.dll
args=()
policy=0
for arg in "$@"; do
  if [ "$arg" = "--policy" ]; then policy=1; else args+=("$arg"); fi
done
if [ "$policy" = 1 ]; then
  # The tool serves templates/mesh.yaml from its own folder: run a copy of it whose mesh.yaml is the policy variant.
  # The copy stays under artifacts/, so it still finds the repository and the other programs' release builds.
  policy_dir=artifacts/bench/dataplane-policy
  rm -rf "$policy_dir"
  mkdir -p "$policy_dir"
  cp -r artifacts/bin/MeshNet.Bench.Dataplane/release/. "$policy_dir/"
  cp bench/dataplane/manifests/mesh-policy.yaml "$policy_dir/templates/mesh.yaml"
  bench_dll="$policy_dir/meshnet-bench-dataplane.dll"
  args=(--label policy "${args[@]}")
fi
echo "nproc $(nproc), kernel $(uname -r)"
echo "running: dotnet $bench_dll ${args[*]}"
bench_run_group dotnet "$bench_dll" "${args[@]}"
