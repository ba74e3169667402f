#!/usr/bin/env bash
# The web pages at the size of the full Magento mirror: a generated repository of 700 packages and 30,000
# versions (internal/site/synth_test.go), published with repo.Publish and loaded in headless Chromium.
# Prints go test's benchmark lines: publish times (cold, no-op, one new version) with the page sizes of the cold
# publish, and Chromium's times for the start page and the largest package page. Needs chromium for the latter.
#
#   bench/site/run.sh                 # every benchmark, 3 runs each
#   BENCH=Chromium BENCHTIME=5x bench/site/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "$(nproc) CPUs, $(go env GOVERSION), $(chromium --version 2>/dev/null || echo 'no chromium')"
go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-3x}" -timeout 60m ./internal/site |
  grep -v '^goos\|^goarch\|^pkg\|^cpu'
