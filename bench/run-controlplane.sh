#!/usr/bin/env bash
# Control-plane benchmark: a real meshnet-control on generated meshes, simulated sidecars on real gRPC streams.
# Usage: bench/run-controlplane.sh [--sizes 100x10x10,1000x10x100,5000x10x100] [--debounce 100ms,0ms]
#        [--changes 10] [--control-cpus 1 | --no-pin]
# Writes bench/results/<date>-controlplane.md and .json.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
export BENCH_BUILD_LOG="${TMPDIR:-/tmp}/meshnet-bench-build.log"

bench_require taskset:util-linux
bench_build bench/controlplane/MeshNet.Bench.ControlPlane src/MeshNet.ControlPlane

export BENCH_COMMAND="bench/run-controlplane.sh $*"
echo "nproc $(nproc), kernel $(uname -r)"
echo "running: taskset -c 0 dotnet artifacts/bin/MeshNet.Bench.ControlPlane/release/meshnet-bench-controlplane.dll $*"
# The harness (simulated sidecars) on cpu 0, meshnet-control on cpu 1 (--control-cpus), so neither starves the other.
bench_run_group taskset -c 0 dotnet artifacts/bin/MeshNet.Bench.ControlPlane/release/meshnet-bench-controlplane.dll "$@"
