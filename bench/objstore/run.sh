#!/usr/bin/env bash
# bench/objstore/run.sh [PACKAGES] [VERSIONS] [BYTES] [LATENCY]
#
# Publishes a generated output directory (PACKAGES x VERSIONS archives, each requiring the previous package, so
# the dependency order matters) into gofakes3 on 127.0.0.1 with internal/objstore: a cold publish, a no-op
# publish and one new version; wall time and the requests sent. Defaults: 100 x 10 = 1,000 archives of 20 KB, no
# added latency (LATENCY, e.g. 20ms, delays every request as a distant bucket would).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
go run ./bench/objstore -packages "${1:-100}" -versions "${2:-10}" -size "${3:-20000}" -latency "${4:-0s}"
