#!/usr/bin/env bash
# Hostile-upstream benchmark (the reliability issue): the real `magerepo sync` binary against an upstream on
# 127.0.0.1 (bench/sync/hostile) that
#   1. streams [files] p2 files of [bytes] each, generated on the fly, without Content-Length, then with it:
#      peak RSS (GNU time -v) and wall time;
#   2. feeds one dist and one p2 file one byte a second: how long each stalled transfer lasted before sync gave
#      it up (the server's record of when the client hung up), with the default --stall-timeout and with 5s.
# Every scenario also has two well-behaved packages, which must be synced.
#
# BASELINE=<git revision> also runs a build of that revision (for the numbers before internal/fetch), with a
# 300 s limit per run.
#
#   bench/sync/hostile.sh [files] [bytes]        (default 8 files of 300 MB)
set -euo pipefail
cd "$(dirname "$0")/../.."
files=${1:-8} size=${2:-300000000}

if [ ! -x /usr/bin/time ]; then
	echo "GNU time is missing: apt-get install time" >&2
	apt-get install -y -qq time >/dev/null || sudo apt-get install -y -qq time >/dev/null
fi
work=$(mktemp -d)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/magerepo" ./cmd/magerepo
go build -o "$work/hostile" ./bench/sync/hostile
bins=(magerepo)
if [ -n "${BASELINE:-}" ]; then
	mkdir "$work/baseline-src"
	git archive "$BASELINE" | tar -x -C "$work/baseline-src"
	(cd "$work/baseline-src" && go build -o "$work/baseline" ./cmd/magerepo)
	bins+=(baseline)
fi

# serve FLAGS...: start the hostile server; its URL goes to $up.
serve() {
	rm -f "$work/url"
	"$work/hostile" -url-file "$work/url" "$@" 2>"$work/server.log" &
	pid=$!
	for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
	up=$(cat "$work/url")
}

# unserve: stop the server, which then writes its request log.
unserve() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

# run LABEL BIN [FLAGS...]: one sync into a fresh directory; prints wall time, peak RSS and the outcome.
run() {
	local label=$1 bin=$2
	shift 2
	rm -rf "$work/local"
	/usr/bin/time -v -o "$work/time" timeout 300 "$work/$bin" sync --quiet --json --base-url http://mirror.example/ \
		"$@" "$up" "$work/local" >"$work/report.json" 2>"$work/stderr" || true
	python3 - "$label" "$bin" "$work/time" "$work/report.json" <<'PY'
import collections, json, re, sys
label, bin_, timef, reportf = sys.argv[1:]
t = open(timef).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t).group(1)
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
status = re.search(r"Exit status: (\d+)", t)
try:
    r = json.load(open(reportf))
    why = collections.Counter()
    # "failures" with "reason", or (the common report shape) "problems" of severity "error" with "message".
    failures = r.get("failures") or [p for p in r.get("problems") or [] if p.get("severity") == "error"]
    for f in failures:
        reason = f.get("reason") or f.get("message", "")
        m = re.search(r"(body too large|larger than \d+ bytes|transfer stalled|response took too long|[^:]+$)", reason)
        why[m.group(1).strip() if m else reason[-60:]] += 1
    outcome = f"{r['versions']} versions published; failures: " + (", ".join(f"{n} x {w}" for w, n in why.items()) or "none")
except Exception:
    outcome = "no report (killed or fatal error)"
print(f"{label:40} {bin_:9} wall {secs:7.2f} s  peak RSS {rss/1024:7.1f} MB  exit {status.group(1) if status else '?'}  {outcome}")
PY
}

# stalls: how long each drip-fed request was served before the client left.
stalls() {
	grep -E '^/(p2/acme/drip-meta-[0-9]+\.json|dist/acme/drip-dist)' "$work/server.log" |
		awk '{printf "    %-40s %s bytes sent, served %s, %s\n", $1, $3, $4, ($5 == "gone=true" ? "client hung up" : "body completed")}'
}

echo "hostile upstream: $files p2 files of $size bytes; $(nproc) CPUs, $(go env GOVERSION)"
for bin in "${bins[@]}"; do
	serve -oversized "$files" -size "$size"
	run "oversized p2, streamed (chunked)" "$bin"
	unserve
	serve -oversized "$files" -size "$size" -declared
	run "oversized p2, Content-Length sent" "$bin"
	unserve
	serve -drip-dist 1 -drip-metadata 1
	run "drip-fed p2 + dist, default stall" "$bin"
	unserve
	stalls
	if [ "$bin" = magerepo ]; then
		serve -drip-dist 1 -drip-metadata 1
		run "drip-fed p2 + dist, --stall-timeout 5s" "$bin" --stall-timeout 5s
		unserve
		stalls
	fi
done
