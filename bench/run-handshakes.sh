#!/usr/bin/env bash
# TLS handshake rate per core: `openssl s_time` against `openssl s_server` and against a meshnet sidecar's inbound
# mTLS listener, on this machine, in one command, interleaved round by round.
#
# Usage: bench/run-handshakes.sh [--rounds 2] [--seconds 10] [--label NAME] [--no-build]
#
# Both servers get the same work: TLS 1.3 only, a P-256 leaf signed by one throwaway P-256 CA (made here with openssl
# and given to meshnet-control as its --ca-cert/--ca-key, so the sidecar's own certificate chains to it too), and a
# required client certificate (s_time presents a P-256 leaf with a SPIFFE ID from the same CA, -cert/-key).
# Servers run pinned to cpu 1, s_time to cpu 0. Modes per server and round:
#   new        full handshakes, connection closed right after (no application data)
#   new+get    full handshake, then one "GET /" answered with 1 KiB (s_time -www), then close
#   resumed    resumed TLS 1.3 sessions (PSK from a ticket), each with one "GET /" (s_time -reuse -www: TLS 1.3
#              tickets only reach the client when it reads, so resumption needs the request)
# s_server -WWW serves a 1 KiB file; the sidecar forwards the request to nginx returning 1 KiB, an extra hop it pays
# for. Per run: connections/s (wall clock) and connections per server CPU-second (utime+stime of the server process
# from /proc over the run) = handshakes per core. The report compares sidecar / s_server per mode, within each round.
# A last check counts how many "new" handshakes the sidecar really verifies when s_time leaves at once: s_time runs
# with a client certificate from another CA, and the sidecar's refusals (GET /certs) are compared with s_time's count.
# Writes bench/results/<date>[-label]-handshakes.md and .tsv.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
export BENCH_BUILD_LOG="${TMPDIR:-/tmp}/meshnet-bench-build.log"

rounds=2
seconds=10
label=""
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --label) label="-$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bench_require openssl:openssl nginx:nginx-light taskset:util-linux curl:curl python3:python3
[ "$build" = 0 ] || bench_build src/MeshNet.Proxy src/MeshNet.ControlPlane
control_dll=artifacts/bin/MeshNet.ControlPlane/release/meshnet-control.dll
proxy_dll=artifacts/bin/MeshNet.Proxy/release/meshnet-proxy.dll

work=$(mktemp -d "${TMPDIR:-/tmp}/meshnet-handshakes.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Addresses apart from every other bench and test range: s_server, the sidecar's pod address, nginx.
sserver=127.66.30.1
pod=127.66.31.2
app=127.66.31.1

# --- The throwaway CA and the two leaves s_server and s_time use (the sidecar gets its own from the control plane).
leaf() { # name spiffe-id
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/$1.key" 2>/dev/null
  openssl req -new -key "$work/$1.key" -subj "/" -out "$work/$1.csr" 2>/dev/null
  printf 'basicConstraints=critical,CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=critical,URI:%s\n' "$2" >"$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial -days 1 -sha256 \
    -extfile "$work/$1.ext" -out "$work/$1.pem" 2>/dev/null
}
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca.key" 2>/dev/null
openssl req -x509 -new -key "$work/ca.key" -subj "/O=meshnet bench/CN=throwaway handshake bench root" -days 1 -sha256 \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$work/ca.pem"
leaf server spiffe://cluster.local/ns/bench/sa/server
leaf client spiffe://cluster.local/ns/bench/sa/client
# The same SPIFFE ID from a CA the mesh does not trust: every handshake the sidecar finishes with it is a refusal.
mv "$work/ca.pem" "$work/mesh-ca.pem"; mv "$work/ca.key" "$work/mesh-ca.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca.key" 2>/dev/null
openssl req -x509 -new -key "$work/ca.key" -subj "/CN=foreign bench root" -days 1 -sha256 \
  -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$work/ca.pem"
leaf foreign spiffe://cluster.local/ns/bench/sa/client
mv "$work/mesh-ca.pem" "$work/ca.pem"; mv "$work/mesh-ca.key" "$work/ca.key"
mkdir -p "$work/www"
printf 'x%.0s' $(seq 1024) >"$work/www/index.html"

wait_line() { # file regex seconds -> prints the first matching line
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    if grep -Eo "$2" "$1" 2>/dev/null | head -n1 | grep .; then return 0; fi
    sleep 0.2
  done
  echo "timed out waiting for '$2' in $1" >&2; tail -20 "$1" >&2; return 1
}

# --- openssl s_server: one process, TLS 1.3 only, client certificate required, 1 KiB page for -www runs.
# s_server quits when its stdin ends: give it a pipe this script holds open. Its client-verification store is
# -verifyCAfile alone, so it sends its leaf without the root, as the sidecar does.
mkfifo "$work/s_server.stdin"
exec 3<>"$work/s_server.stdin"
(cd "$work/www" && exec taskset -c 1 openssl s_server -accept "$sserver:4433" -cert "$work/server.pem" -key "$work/server.key" \
  -verifyCAfile "$work/ca.pem" -no-CAfile -no-CApath -no-CAstore -Verify 1 -verify_return_error -tls1_3 -WWW -quiet \
  <"$work/s_server.stdin" >"$work/s_server.log" 2>&1) &
sserver_pid=$!; pids+=($sserver_pid)

# --- The app behind the sidecar: nginx answering 1 KiB, on cpu 0 with s_time.
mkdir -p "$work/nginx"
sed -e "s#__PREFIX__#$work/nginx#g" -e "s#__ADDR__#$app#g" -e "s#__HTTP_PORT__#8080#g" -e "s#__H2C_PORT__#8081#g" \
  -e "s#__BODY__#$(printf 'x%.0s' $(seq 1024))#g" bench/dataplane/nginx/backend.conf.template >"$work/nginx/nginx.conf"
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx.log" 2>&1 &
pids+=($!)

# --- meshnet-control with the throwaway CA, the sidecar with a join token, in a STRICT namespace.
mkdir -p "$work/config"
cp bench/dataplane/manifests/mesh-mtls.yaml "$work/config/mesh.yaml"
taskset -c 0 dotnet "$control_dll" --config "$work/config" --grpc 127.0.0.1:0 --admin 127.0.0.1:0 \
  --ca-cert "$work/ca.pem" --ca-key "$work/ca.key" >"$work/control.out" 2>&1 &
pids+=($!)
ready=$(wait_line "$work/control.out" 'meshnet-control ready grpc=[0-9.:]+ admin=[0-9.:]+' 60)
grpc=$(grep -Eo 'grpc=[0-9.:]+' <<<"$ready" | cut -d= -f2)
admin=$(grep -Eo 'admin=[0-9.:]+' <<<"$ready" | cut -d= -f2)
token=$(curl -sf -X POST -H 'content-type: application/json' -d '{"namespace":"bench","serviceAccount":"server","ttl":"1h"}' \
  "http://$admin/identity/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
MESHNET_JOIN_TOKEN=$token taskset -c 1 dotnet "$proxy_dll" --control-plane "http://$grpc" --name backend-0 --namespace bench \
  --service-account server --labels app=backend --app-address "$app" --app-port 8080 --port http=8080 \
  --inbound "$pod:15006" --outbound "$pod:15001" --admin "$pod:15000" >"$work/sidecar.out" 2>&1 &
sidecar_pid=$!; pids+=($sidecar_pid)
wait_line "$work/sidecar.out" 'meshnet-proxy ready' 60 >/dev/null
deadline=$((SECONDS + 60))
until curl -sf "http://$pod:15000/certs" | grep -q '"identity":"spiffe://'; do
  [ $SECONDS -lt $deadline ] || { echo "the sidecar got no certificate" >&2; tail -20 "$work/sidecar.out" >&2; exit 1; }
  sleep 0.2
done

# What each server negotiates with s_time's settings: the same protocol, cipher, group and signature algorithm.
describe() { # host:port
  echo | taskset -c 0 openssl s_client -connect "$1" -cert "$work/client.pem" -key "$work/client.key" -CAfile "$work/ca.pem" \
    -tls1_3 2>&1 | grep -E '^(New, |Peer signature type|Server Temp Key|Verify return code)' | tr '\n' ';'
}
sserver_desc=$(describe "$sserver:4433")
sidecar_desc=$(describe "$pod:15006")
echo "s_server: $sserver_desc" >&2
echo "sidecar:  $sidecar_desc" >&2

ticks() { read -r -a f <"/proc/$1/stat"; echo $((f[13] + f[14])); }
hz=$(getconf CLK_TCK)

# One s_time run: prints "connections wall_seconds server_cpu_seconds".
s_time() { # server-pid host:port mode
  local flags=(-new) before after start end out
  case "$3" in
    new+get) flags=(-new -www /index.html) ;;
    resumed) flags=(-reuse -www /index.html) ;;
  esac
  before=$(ticks "$1"); start=$(date +%s.%N)
  out=$(taskset -c 0 openssl s_time -connect "$2" -cert "$work/client.pem" -key "$work/client.key" -CAfile "$work/ca.pem" \
    "${flags[@]}" -time "$seconds" 2>&1 | tail -n 3)
  end=$(date +%s.%N); after=$(ticks "$1")
  local connections
  connections=$(grep -Eo '^[0-9]+ connections in [0-9.]+ real' <<<"$out" | grep -Eo '^[0-9]+' | tail -n1)
  [ -n "$connections" ] || { echo "s_time against $2 ($3) printed no count: $out" >&2; connections=0; }
  python3 -c "print($connections, round($end - $start, 3), round(($after - $before) / $hz, 3))"
}

stamp=$(date -u +%Y-%m-%d)
out_tsv=bench/results/$stamp$label-handshakes.tsv
out_md=bench/results/$stamp$label-handshakes.md
echo -e "round\tmode\tserver\tconnections\twall_s\tserver_cpu_s\tconn_per_s\tconn_per_cpu_s\tload1" >"$out_tsv"
for round in $(seq 1 "$rounds"); do
  for mode in new new+get resumed; do
    # Alternate which server goes first each round, so neither always runs on the warmer (or busier) machine.
    if [ $((round % 2)) -eq 1 ]; then order="s_server sidecar"; else order="sidecar s_server"; fi
    for server in $order; do
      if [ "$server" = s_server ]; then read -r n wall cpu < <(s_time "$sserver_pid" "$sserver:4433" "$mode")
      else read -r n wall cpu < <(s_time "$sidecar_pid" "$pod:15006" "$mode"); fi
      row=$(python3 -c "print(f'{$n / $wall:.1f}\t{($n / $cpu) if $cpu > 0 else float(\"nan\"):.1f}')")
      echo -e "$round\t$mode\t$server\t$n\t$wall\t$cpu\t$row\t$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out_tsv" >&2
    done
  done
done

# How many "new" handshakes (closed at once) the sidecar carries through to verifying the client's certificate.
refused() { curl -sf "http://$pod:15000/certs" | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["refused"].values()))'; }
refused_before=$(refused)
foreign_out=$(taskset -c 0 openssl s_time -connect "$pod:15006" -cert "$work/foreign.pem" -key "$work/foreign.key" -new -time "$seconds" 2>&1 | tail -n 3)
sleep 1
refused_after=$(refused)
foreign_count=$(grep -Eo '^[0-9]+ connections in [0-9.]+ real' <<<"$foreign_out" | grep -Eo '^[0-9]+' | tail -n1)
verified_note="s_time with a client certificate from a foreign CA, mode new, $seconds s: s_time counted ${foreign_count:-0} handshakes, the sidecar refused $((refused_after - refused_before)) (the rest it never verified, because the client had left)"
echo "$verified_note" >&2

python3 - "$out_tsv" "$out_md" "bench/run-handshakes.sh ${*:-}" "$seconds" "$rounds" "$sserver_desc" "$sidecar_desc" \
  "$(openssl version)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)" "$verified_note" <<'EOF'
import csv, statistics, sys
tsv, md, command, seconds, rounds, sdesc, pdesc, ossl, nproc, cpu, verified = sys.argv[1:]
rows = list(csv.DictReader(open(tsv), delimiter='\t'))
by = {(r['round'], r['mode'], r['server']): r for r in rows}
modes = ['new', 'new+get', 'resumed']
rounds_seen = sorted({r['round'] for r in rows}, key=int)
def spread(values):
    values = sorted(v for v in values if v == v)
    if not values: return '—'
    m = statistics.median(values)
    return f"{m:.3g}" if len(values) == 1 else f"{m:.3g} ({values[0]:.3g}–{values[-1]:.3g})"
out = []
out.append(f"# TLS handshakes: meshnet sidecar inbound vs openssl s_server\n")
out.append(f"Command: `{command}`  ")
out.append(f"Machine: {nproc} CPUs ({cpu}); {ossl}; load average at each run in the TSV  ")
out.append(f"Runs: {rounds} rounds x 3 modes x 2 servers, {seconds} s each (s_time -time), servers on cpu 1, s_time on cpu 0, order alternating.  ")
out.append(f"s_server negotiated: {sdesc}  ")
out.append(f"sidecar negotiated: {pdesc}\n")
out.append("Per core = connections / server CPU-seconds (utime+stime of the server process over the run). Each cell: median (min–max) over rounds; the ratio is taken within a round.\n")
out.append("| mode | s_server conn/s | sidecar conn/s | s_server per core | sidecar per core | sidecar / s_server per core | sidecar / s_server conn/s |")
out.append("|---|---|---|---|---|---|---|")
for mode in modes:
    def col(server, metric): return [float(by[(r, mode, server)][metric]) for r in rounds_seen if (r, mode, server) in by]
    def ratio(metric): return [float(by[(r, mode, 'sidecar')][metric]) / float(by[(r, mode, 's_server')][metric])
                              for r in rounds_seen if (r, mode, 'sidecar') in by and (r, mode, 's_server') in by and float(by[(r, mode, 's_server')][metric]) > 0]
    out.append(f"| {mode} | {spread(col('s_server','conn_per_s'))} | {spread(col('sidecar','conn_per_s'))} | "
               f"{spread(col('s_server','conn_per_cpu_s'))} | {spread(col('sidecar','conn_per_cpu_s'))} | "
               f"{spread(ratio('conn_per_cpu_s'))} | {spread(ratio('conn_per_s'))} |")
out.append("\nModes: `new` = full handshake and close; `new+get` = full handshake plus one GET answered with 1 KiB "
           "(the sidecar forwards it to nginx); `resumed` = TLS 1.3 resumption from a ticket plus one GET. "
           "conn/s is bounded by s_time too (one client process, one connection at a time); per core is the server's own cost.")
out.append(f"\nCheck of the `new` mode: {verified}. When that is well below s_time's count, the `new` row is not "
           "like-for-like: the sidecar skipped work that a completed handshake needs.")
open(md, 'w').write('\n'.join(out) + '\n')
print('\n'.join(out))
EOF
echo "wrote $out_md and $out_tsv" >&2
