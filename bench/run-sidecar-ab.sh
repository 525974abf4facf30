#!/usr/bin/env bash
# A/B of sidecar builds on one machine: each variant is a whole mesh (its own meshnet-control, a server sidecar in
# front of one shared nginx backend, a client sidecar the load generator addresses by Host), all started side by
# side and measured interleaved, the order rotating every round, so a busy machine slows every variant alike.
#
# Usage: bench/run-sidecar-ab.sh --variant LABEL=BINDIR[=MANIFEST] --variant ... [--rounds 5] [--duration-s 8]
#          [--warmup-s 2] [--connections 16] [--rate 1000] [--out FILE] [--env LABEL:NAME=VALUE ...]
# BINDIR holds meshnet-control.dll and meshnet-proxy.dll (e.g. a Release build of another commit in a git worktree:
# <worktree>/artifacts/bin/MeshNet.Proxy/release, with the control plane's dlls copied or symlinked beside it, or
# give PROXY_DLL:CONTROL_DLL instead of a folder). MANIFEST defaults to bench/dataplane/manifests/mesh.yaml.
# Per variant and round: wrk -t1 -c16 RPS, CPU µs/request of both sidecars (utime+stime from /proc over the run),
# and p99 at a fixed 1000 RPS from meshnet-bench-loadgen (open loop, latency from the intended send time).
# Ratios against the first variant are taken within each round. Output: a TSV of raw rows and a summary on stdout.
# --env adds an environment variable to both sidecars of one variant (a runtime or logging setting to compare).
# LOADGEN_DLL overrides the load generator (default: its Release build under artifacts/, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
duration=8
warmup=2
connections=16
rate=1000
out=""
variants=()
declare -A extra_env=()
while [ $# -gt 0 ]; do
  case "$1" in
    --variant) variants+=("$2"); shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --duration-s) duration="$2"; shift 2 ;;
    --warmup-s) warmup="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --env) extra_env[${2%%:*}]+=" ${2#*:}"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ "${#variants[@]}" -ge 2 ] || { echo "need at least two --variant" >&2; exit 2; }

loadgen=${LOADGEN_DLL:-artifacts/bin/MeshNet.Bench.LoadGen/release/meshnet-bench-loadgen.dll}
[ -f "$loadgen" ] || dotnet build -c Release bench/dataplane/MeshNet.Bench.LoadGen -v q -nologo >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/meshnet-ab.XXXXXX")
out=${out:-$work/rows.tsv}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# The backend: nginx, one worker, 1 KiB from memory, on cpu 0 with the load generator; every sidecar on cpu 1.
backend=127.66.20.1
mkdir -p "$work/nginx"
sed -e "s#__PREFIX__#$work/nginx#g" -e "s#__ADDR__#$backend#g" -e "s#__HTTP_PORT__#8080#g" -e "s#__H2C_PORT__#8081#g" \
  -e "s#__BODY__#$(printf 'x%.0s' $(seq 1024))#g" bench/dataplane/nginx/backend.conf.template >"$work/nginx/nginx.conf"
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx.log" 2>&1 &
pids+=($!)

wait_line() { # file regex seconds -> prints the first matching line
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    if grep -Eo "$2" "$1" 2>/dev/null | head -n1 | grep .; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for '$2' in $1" >&2; return 1
}

labels=(); clients=(); sidecar_pids=()
for i in "${!variants[@]}"; do
  IFS='=' read -r label bins manifest <<<"${variants[$i]}"
  manifest=${manifest:-bench/dataplane/manifests/mesh.yaml}
  if [[ "$bins" == *:* ]]; then proxy=${bins%%:*}; control=${bins##*:}; else proxy=$bins/meshnet-proxy.dll; control=$bins/meshnet-control.dll; fi
  dir=$work/$label; mkdir -p "$dir/config"; cp "$manifest" "$dir/config/mesh.yaml"
  net=127.66.$((21 + i))
  taskset -c 0 dotnet "$control" --config "$dir/config" --grpc 127.0.0.1:0 --admin 127.0.0.1:0 >"$dir/control.out" 2>"$dir/control.err" &
  pids+=($!)
  grpc=$(wait_line "$dir/control.out" 'grpc=[0-9.:]+' 60 | cut -d= -f2)
  # shellcheck disable=SC2086
  env ${extra_env[$label]:-} taskset -c 1 dotnet "$proxy" --control-plane "http://$grpc" --name backend-0 --namespace bench --labels app=backend \
    --app-address "$backend" --app-port 8080 --port http=8080 \
    --inbound "$net.2:15006" --outbound "$net.2:15001" --admin "$net.2:15000" >"$dir/server.out" 2>"$dir/server.err" &
  server=$!; pids+=($server)
  # shellcheck disable=SC2086
  env ${extra_env[$label]:-} taskset -c 1 dotnet "$proxy" --control-plane "http://$grpc" --name loadgen-0 --namespace bench --labels app=loadgen \
    --app-address "$net.3" --app-port 8080 \
    --inbound "$net.3:15006" --outbound "$net.3:15001" --admin "$net.3:15000" >"$dir/client.out" 2>"$dir/client.err" &
  client=$!; pids+=($client)
  wait_line "$dir/client.out" 'meshnet-proxy ready' 60 >/dev/null
  deadline=$((SECONDS + 60))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: backend.bench' "http://$net.3:15001/")" = 200 ]; do
    [ $SECONDS -lt $deadline ] || { echo "$label: no route to backend.bench" >&2; exit 1; }
    sleep 0.2
  done
  labels+=("$label"); clients+=("http://$net.3:15001/"); sidecar_pids+=("$server $client")
  echo "$label: proxy $proxy, manifest $manifest, env [${extra_env[$label]:-}], pids $server $client" >&2
done

ticks() { # pids -> summed utime+stime in clock ticks
  local sum=0
  for pid in "$@"; do
    read -r -a f <"/proc/$pid/stat"
    sum=$((sum + f[13] + f[14]))
  done
  echo $sum
}
hz=$(getconf CLK_TCK)

echo -e "round\tvariant\trps\tcpu_us_per_req\tp99_us_at_rate\tload1" >"$out"
n=${#labels[@]}
for round in $(seq 1 "$rounds"); do
  for k in $(seq 0 $((n - 1))); do
    i=$(( (k + round - 1) % n ))
    url=${clients[$i]}
    # shellcheck disable=SC2086
    set -- ${sidecar_pids[$i]}
    taskset -c 0 wrk -t1 -c"$connections" -d"${warmup}s" -H 'Host: backend.bench' "$url" >/dev/null
    before=$(ticks "$@")
    wrk_out=$(taskset -c 0 wrk -t1 -c"$connections" -d"${duration}s" -H 'Host: backend.bench' "$url")
    after=$(ticks "$@")
    requests=$(grep -Eo '^ *[0-9]+ requests' <<<"$wrk_out" | grep -Eo '[0-9]+')
    rps=$(grep -Eo 'Requests/sec: *[0-9.]+' <<<"$wrk_out" | grep -Eo '[0-9.]+$')
    cpu=$(python3 -c "print(round(($after - $before) * 1e6 / $hz / $requests, 1))")
    lg=$(taskset -c 0 dotnet "$loadgen" --url "$url" --host backend.bench --rate "$rate" --duration-s "$duration" \
      --warmup-s "$warmup" --connections 64 | grep '^{' | tail -n1)
    p99=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['p99Us'])" "$lg")
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo -e "$round\t${labels[$i]}\t$rps\t$cpu\t$p99\t$load" | tee -a "$out" >&2
  done
done

python3 - "$out" "${labels[@]}" <<'EOF'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
labels = sys.argv[2:]
base = labels[0]
by = {(r['round'], r['variant']): r for r in rows}
rounds = sorted({r['round'] for r in rows}, key=int)
print(f"| variant | RPS c16 | CPU µs/req | p99 µs @rate | RPS / {base} | CPU / {base} | p99 / {base} |")
print("|---|---|---|---|---|---|---|")
def summary(values):
    values = sorted(values)
    return f"{statistics.median(values):.4g} ({values[0]:.4g}–{values[-1]:.4g})"
for label in labels:
    cells = []
    for metric in ('rps', 'cpu_us_per_req', 'p99_us_at_rate'):
        cells.append(summary([float(by[(r, label)][metric]) for r in rounds]))
    for metric in ('rps', 'cpu_us_per_req', 'p99_us_at_rate'):
        cells.append(summary([float(by[(r, label)][metric]) / float(by[(r, base)][metric]) for r in rounds]))
    print(f"| {label} | " + " | ".join(cells) + " |")
print()
print("Per round, ratio to", base, "(RPS, CPU/req, p99):")
for r in rounds:
    parts = []
    for label in labels[1:]:
        a, b = by[(r, label)], by[(r, base)]
        parts.append(f"{label} {float(a['rps'])/float(b['rps']):.3f} / {float(a['cpu_us_per_req'])/float(b['cpu_us_per_req']):.3f} / {float(a['p99_us_at_rate'])/float(b['p99_us_at_rate']):.3f}")
    print(f"round {r} (load {by[(r, base)]['load1']}): " + "; ".join(parts))
EOF
echo "rows: $out" >&2
