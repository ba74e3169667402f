#!/usr/bin/env bash
# Serving benchmark: magerepo serve versus nginx (with the rules of
# docs/nginx.conf.example) on the same repository directory, measured with wrk.
#
#   bench/serve/run.sh                 # from the repository root
#   DURATION=30s CONNECTIONS=64 bench/serve/run.sh
#
# Needs go, nginx and wrk. Everything listens on 127.0.0.1 only. Both servers
# run without access logs, on the same cores as wrk.
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

for tool in go nginx wrk python3; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool not found" >&2; exit 2; }
done

echo "building magerepo..." >&2
(cd "$ROOT" && go build -o "$WORK/magerepo" ./cmd/magerepo)

# A repository directory: packages.json naming 2000 packages, a p2 file of
# about 100 KB (200 versions), a 1 MB dist, and .json.gz siblings with the same
# mtime as their JSON file, as the build writes them.
REPO="$WORK/repo"
python3 - "$REPO" <<'PY'
import gzip, json, os, random, sys
repo = sys.argv[1]
names = ["acme/pkg%04d" % i for i in range(2000)] + ["acme/big"]
os.makedirs(f"{repo}/p2/acme", exist_ok=True)
os.makedirs(f"{repo}/dist/acme", exist_ok=True)
def write(rel, data):
    with open(f"{repo}/{rel}", "wb") as f:
        f.write(data)
root = {"packages": [], "metadata-url": "/p2/%package%.json", "available-packages": sorted(names)}
write("packages.json", json.dumps(root, separators=(",", ":")).encode())
versions = []
for i in range(200):
    v = f"2.4.{i}"
    versions.append({
        "name": "acme/big", "version": v, "version_normalized": v + ".0", "type": "magento2-module",
        "description": "A module with enough metadata to look like Magento's",
        "require": {"php": "~8.1.0||~8.2.0||~8.3.0", "magento/framework": "103.0.*", "magento/module-store": "101.2.*",
                    "magento/module-catalog": "104.0.*", "magento/module-customer": "103.0.*"},
        "autoload": {"files": ["registration.php"], "psr-4": {"Acme\\Big\\": ""}},
        "dist": {"type": "zip", "url": f"https://repo.example.com/dist/acme/big-{v}.zip",
                 "shasum": "%040x" % random.getrandbits(160)},
    })
write("p2/acme/big.json", json.dumps({"packages": {"acme/big": versions}}, separators=(",", ":")).encode())
write("dist/acme/big-2.4.0.zip", os.urandom(1 << 20))
write("index.html", b"<!doctype html><title>bench</title>\n")
for rel in ("packages.json", "p2/acme/big.json"):
    src = f"{repo}/{rel}"
    with open(src, "rb") as f:
        write(rel + ".gz", gzip.compress(f.read(), 9, mtime=0))
    st = os.stat(src)
    os.utime(src + ".gz", ns=(st.st_atime_ns, st.st_mtime_ns))
PY
ls -l "$REPO/packages.json" "$REPO/packages.json.gz" "$REPO/p2/acme/big.json" "$REPO/p2/acme/big.json.gz" "$REPO/dist/acme/big-2.4.0.zip" >&2

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
	for _ in $(seq 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "run.sh: nothing listens on port $1" >&2
	exit 1
}

MPORT=$(free_port)
"$WORK/magerepo" serve --quiet --listen "127.0.0.1:$MPORT" "$REPO" &
PIDS+=($!)

NPORT=$(free_port)
mkdir -p "$WORK/nginx"
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root root;"
RULES=$(sed -n '/# BEGIN magerepo rules/,/# END magerepo rules/p' "$ROOT/docs/nginx.conf.example")
cat >"$WORK/nginx/nginx.conf" <<CONF
$USER_LINE
daemon off;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server {
        listen 127.0.0.1:$NPORT;
        root $REPO;
$RULES
    }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e stderr &
PIDS+=($!)
wait_port "$MPORT"
wait_port "$NPORT"

# bench NAME PORT PATH [HEADER]: prints "req/s avg p50 p99 transfer/s"
bench() {
	local out
	local args=(-t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency)
	[ -n "${4:-}" ] && args+=(-H "$4")
	out=$(wrk "${args[@]}" "http://127.0.0.1:$2$3")
	if echo "$out" | grep -q "Non-2xx"; then
		echo "run.sh: $1 $3 got non-2xx answers:" >&2
		echo "$out" >&2
		exit 1
	fi
	local rps avg p50 p99 tps
	rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
	avg=$(echo "$out" | awk '$1=="Latency" && NF>=5 {print $2; exit}')
	p50=$(echo "$out" | awk '$1=="50%" {print $2}')
	p99=$(echo "$out" | awk '$1=="99%" {print $2}')
	tps=$(echo "$out" | awk '/^Transfer\/sec:/ {print $2}')
	echo "$rps $avg $p50 $p99 $tps"
}

printf '%-26s %-9s %12s %9s %9s %9s %11s\n' target server "req/s" avg p50 p99 transfer/s
declare -A RPS
for target in "packages.json|/packages.json|" \
	"p2 (identity)|/p2/acme/big.json|" \
	"p2 (gzip)|/p2/acme/big.json|Accept-Encoding: gzip" \
	"dist 1 MB|/dist/acme/big-2.4.0.zip|"; do
	IFS='|' read -r label path header <<<"$target"
	for server in magerepo nginx; do
		port=$MPORT
		[ "$server" = nginx ] && port=$NPORT
		read -r rps avg p50 p99 tps < <(bench "$server" "$port" "$path" "$header")
		RPS["$label/$server"]=$rps
		printf '%-26s %-9s %12s %9s %9s %9s %11s\n' "$label" "$server" "$rps" "$avg" "$p50" "$p99" "$tps"
	done
	python3 -c "import sys; print('%-26s %-9s %11.2fx' % ('', 'ratio', float(sys.argv[1])/float(sys.argv[2])))" \
		"${RPS[$label/magerepo]}" "${RPS[$label/nginx]}"
done
echo "(wrk -t$THREADS -c$CONNECTIONS -d$DURATION on $(nproc) cores, $(go version | awk '{print $3}'), $(nginx -v 2>&1 | sed 's/.*: //'))"
