#!/usr/bin/env bash
# Cluster DNS throughput: dnsperf against meshnet-control's DNS listener (MeshNet.Dns, the same responder the
# sidecars' DNS proxies run) and against Knot DNS serving the same records, interleaved in one run.
#   bench/run-dns.sh [--services N] [--rounds R] [--seconds S]
# Writes bench/results/<date>-dns.md and .json.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh

services=200 rounds=3 seconds=8
while [ $# -gt 0 ]; do
  case "$1" in
    --services) services=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "usage: bench/run-dns.sh [--services N] [--rounds R] [--seconds S]" >&2; exit 2 ;;
  esac
done

bench_require dnsperf:dnsperf knotd:knot curl:curl taskset:util-linux
BENCH_BUILD_LOG=$(mktemp)
bench_build src/MeshNet.ControlPlane

work=$(mktemp -d /tmp/meshnet-dns-bench.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The mesh: N ClusterIP Services in namespace "bench".
mkdir -p "$work/manifests" "$work/knot"
{
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bench\n'
  for i in $(seq 1 "$services"); do
    printf -- '---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\n  namespace: bench\nspec:\n  selector:\n    app: svc-%d\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n' "$i" "$i"
  done
} >"$work/manifests/services.yaml"

# meshnet-control on core 1, its DNS on a free port.
taskset -c 1 dotnet artifacts/bin/MeshNet.ControlPlane/release/meshnet-control.dll \
  --config "$work/manifests" --grpc 127.0.0.1:0 --admin 127.0.0.1:0 --dns 127.0.0.1:0 \
  >"$work/control.out" 2>"$work/control.err" &
pids+=($!)
for _ in $(seq 1 300); do grep -q 'meshnet-control ready' "$work/control.out" && break; sleep 0.1; done
ready=$(grep 'meshnet-control ready' "$work/control.out")
admin=$(sed -n 's/.* admin=\([^ ]*\).*/\1/p' <<<"$ready")
meshnet_dns=$(sed -n 's/.* dns=\([^ ]*\).*/\1/p' <<<"$ready")
[ -n "$meshnet_dns" ] || { echo "meshnet-control printed no dns= address: $ready" >&2; exit 1; }

# The same A records for Knot, with the cluster IPs meshnet-control allocated.
curl -s "http://$admin/debug/services" | tr '{' '\n' | sed -n 's/.*"namespace":"bench","name":"\([^"]*\)".*"clusterIPs":\["\([^"]*\)".*/\1 \2/p' >"$work/ips"
[ "$(wc -l <"$work/ips")" -eq "$services" ] || { echo "expected $services cluster IPs, got $(wc -l <"$work/ips")" >&2; exit 1; }
{
  printf '$ORIGIN cluster.local.\n$TTL 5\n@ IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5\n@ IN NS ns.dns.cluster.local.\nns.dns IN A 127.0.0.1\n'
  while read -r name ip; do printf '%s.bench.svc IN A %s\n' "$name" "$ip"; done <"$work/ips"
} >"$work/knot/cluster.local.zone"
knot_port=$((20000 + RANDOM % 20000))
cat >"$work/knot/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$knot_port
    rundir: $work/knot
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: $work/knot
zone:
  - domain: cluster.local
    storage: $work/knot
    file: cluster.local.zone
EOF
taskset -c 1 knotd -c "$work/knot/knot.conf" >"$work/knot.log" 2>&1 &
pids+=($!)
sleep 1

# Queries: every Service's A record, in order; dnsperf loops over the file.
while read -r name _; do printf '%s.bench.svc.cluster.local A\n' "$name"; done <"$work/ips" >"$work/queries"

measure() { # server port -> QPS
  taskset -c 0 dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries" -l "$seconds" -c 1 -q 100 2>&1 |
    tee -a "$work/dnsperf.log" | sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p'
}
lost() { grep -o 'Queries lost: *[0-9]*' "$work/dnsperf.log" | tail -1 | grep -o '[0-9]*$'; }

meshnet_qps=() knot_qps=() ratios=()
for round in $(seq 1 "$rounds"); do
  m=$(measure meshnet "${meshnet_dns##*:}"); ml=$(lost)
  k=$(measure knot "$knot_port"); kl=$(lost)
  r=$(awk -v m="$m" -v k="$k" 'BEGIN { printf "%.3f", m / k }')
  echo "round $round: meshnet $m QPS (lost $ml), knot $k QPS (lost $kl), ratio $r"
  meshnet_qps+=("$m"); knot_qps+=("$k"); ratios+=("$r")
done

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
date=$(date -u +%F)
out=bench/results/$date-dns
command="bench/run-dns.sh --services $services --rounds $rounds --seconds $seconds"
cat >"$out.md" <<EOF
# Cluster DNS benchmark, $(date -u '+%F %H:%M') UTC

Command: \`$command\`
Machine: $(nproc) CPUs, kernel $(uname -r), $(knotd --version 2>&1 | head -1), $(dnsperf -h 2>&1 | grep -m1 -o 'DNS Performance Testing Tool.*' || echo dnsperf)
Setup: $services ClusterIP Services; A queries for all of them in turn; dnsperf on core 0 (1 client, 100 outstanding), each
server on core 1 (Knot with one UDP worker); $rounds interleaved rounds of $seconds s.

| round | meshnet-control QPS | Knot QPS | meshnet / Knot |
|---|---|---|---|
$(for i in "${!ratios[@]}"; do echo "| $((i + 1)) | ${meshnet_qps[$i]} | ${knot_qps[$i]} | ${ratios[$i]} |"; done)
| **median** | $(median "${meshnet_qps[@]}") | $(median "${knot_qps[@]}") | $(median "${ratios[@]}") |

Response codes reported by dnsperf, per measurement (meshnet, Knot alternating): every answer must be NOERROR.

\`\`\`
$(grep 'Response codes' "$work/dnsperf.log")
\`\`\`
EOF
printf '{"command":"%s","services":%d,"meshnetQps":[%s],"knotQps":[%s],"ratio":[%s],"medianRatio":%s}\n' \
  "$command" "$services" "$(IFS=,; echo "${meshnet_qps[*]}")" "$(IFS=,; echo "${knot_qps[*]}")" \
  "$(IFS=,; echo "${ratios[*]}")" "$(median "${ratios[@]}")" >"$out.json"
cat "$out.md"
