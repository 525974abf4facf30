#!/usr/bin/env bash
# Data-plane benchmark: direct, meshnet (two sidecars), haproxy and stock yarp (two hops each), interleaved.
# Usage: bench/run-dataplane.sh [--rounds 5] [--duration-s 10] [--warmup-s 2] [--topologies direct,meshnet,haproxy,yarp]
#        [--connections 16,128] [--rates 1000,5000] [--h2-rate 1000] [--skip-h2] [--no-pin] [--label NAME]
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
echo "nproc $(nproc), kernel $(uname -r)"
echo "running: dotnet artifacts/bin/MeshNet.Bench.Dataplane/release/meshnet-bench-dataplane.dll $*"
bench_run_group dotnet artifacts/bin/MeshNet.Bench.Dataplane/release/meshnet-bench-dataplane.dll "$@"
