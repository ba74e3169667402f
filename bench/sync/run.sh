#!/usr/bin/env bash
# Sync benchmark (issue 5): a full and a no-op `magerepo sync` of a generated
# 1,000-version repository (100 packages x 10 versions, ~20 kB dists) served by
# `magerepo serve` on loopback. Reports wall time, CPU time, peak RSS, requests
# and bytes received for each run.
#
#   bench/sync/run.sh [packages] [versions] [dist-bytes]
set -euo pipefail
cd "$(dirname "$0")/../.."
packages=${1:-100} versions=${2:-10} size=${3:-20000}
work=$(mktemp -d)
trap 'kill "$serve_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
serve_pid=

go build -o "$work/magerepo" ./cmd/magerepo
go build -o "$work/gen" ./bench/sync/gen

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
up="http://127.0.0.1:$port/"
"$work/gen" -out "$work/upstream" -base-url "$up" -packages "$packages" -versions "$versions" -size "$size"
"$work/magerepo" serve --quiet --listen "127.0.0.1:$port" "$work/upstream" &
serve_pid=$!
for _ in $(seq 50); do curl -fs "$up/packages.json" >/dev/null 2>&1 && break; sleep 0.1; done

run() {
	local label=$1
	/usr/bin/time -f "%e %U %S %M" -o "$work/time" \
		"$work/magerepo" sync --quiet --json --base-url http://mirror.example/ "$up" "$work/local" >"$work/report.json"
	read -r wall user sys rss <"$work/time"
	python3 - "$label" "$wall" "$user" "$sys" "$rss" "$work/report.json" <<'PY'
import json, sys
label, wall, user, sys_, rss, path = sys.argv[1:]
r = json.load(open(path))
print(f"{label:8} wall {float(wall):6.2f} s  cpu {float(user)+float(sys_):6.2f} s  peak RSS {int(rss)/1024:6.1f} MB  "
      f"requests {r['requests']:5}  received {r['bytes_received']/1e6:8.2f} MB  "
      f"versions {r['versions']}  downloaded {r['downloaded']}  304s {r['metadata_not_modified']}")
PY
}

echo "sync of $((packages * versions)) versions ($packages packages), $(du -sh "$work/upstream" | cut -f1) upstream, $(nproc) CPUs"
run full
run no-op
