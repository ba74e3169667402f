#!/usr/bin/env bash
# bench/distribution/real.sh [FIXTURE_DIR]
#
# The mirror build and the distribution build of the same sources, next to each other: the real Magento Open
# Source 2.4.3-p2 fixture (magento-e2e-2.4.3-p2, see its README.md), built offline with
# --sources-dir as cmd/magerepo/magento_real_e2e_test.go builds it, once with the embedded profile (the mirror) and
# once with that profile made the distribution acme/* 1.0.0 of upstream 2.4.3-p2 with a minimal edition (as
# cmd/magerepo/distribution_real_e2e_test.go makes it). Each is built cold (empty output and cache) and then
# again with nothing new (no-op). Prints wall time, CPU time (user+sys), peak RSS and the build's summary line.
#
# Default FIXTURE_DIR is ../shared/data/magento-e2e-2.4.3-p2 relative to the repository:
#   bench/distribution/real.sh
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
fx=$(cd "${1:-$here/../shared/data/magento-e2e-2.4.3-p2}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/magerepo" "$here/cmd/magerepo"

# --sources-dir: the fixture's repositories, and its prebuilt zips laid out as the profile's prebuilt source.
mkdir -p "$work/sources/additional-packages/resource/additional-packages"
for s in "$fx"/sources/*; do ln -s "$s" "$work/sources/$(basename "$s")"; done
cp "$fx"/prebuilt/*.zip "$work/sources/additional-packages/resource/additional-packages/"

# The distribution profile: the embedded one with vendor acme and a distribution block.
"$work/magerepo" profile show > "$work/mirror.yaml"
python3 - "$work/mirror.yaml" "$work/distribution.yaml" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
p = open(src).read()
line = "\nvendor: magento\n"
assert p.count(line) == 1, "the embedded profile has no single 'vendor: magento' line"
block = '''
vendor: acme
distribution:
  releases:
    - version: "1.0.0"
      upstream: "2.4.3-p2"
  editions:
    - name: minimal
      require: ["php", "ext-*", "lib-*", "magento/magento2-base", "magento/magento-composer-installer",
        "magento/composer", "magento/zendframework1", "magento/framework*", "magento/module-*", "magento/theme-*",
        "magento/language-en_us", "colinmollenhour/*", "composer/composer", "elasticsearch/elasticsearch",
        "guzzlehttp/guzzle", "laminas/*", "league/*", "monolog/monolog", "paragonie/sodium_compat",
        "pelago/emogrifier", "php-amqplib/php-amqplib", "phpseclib/*", "ramsey/uuid", "symfony/*",
        "tedivm/jshrink", "tubalmartin/cssmin", "webonyx/graphql-php", "wikimedia/less.php", "web-token/jwt-framework"]
'''
open(dst, "w").write(p.replace(line, block, 1))
PY
"$work/magerepo" config check "$work/distribution.yaml" >/dev/null

measure() { # label out config-args...
  local label=$1 out=$2; shift 2
  # exit 1 is a build with reported failures; the summary says how many
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$work/magerepo" build -q --out "$work/$out" --cache "$work/cache-$out" \
    --base-url http://127.0.0.1:8080/ --sources-dir "$work/sources" "$@" > "$work/out.log" 2>&1 || [ $? -eq 1 ] || { cat "$work/out.log"; exit 1; }
  read -r wall user sys rss < "$work/time"
  printf '%-32s wall %7.2fs  cpu %7.2fs  peak RSS %5d MB  %s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024)) \
    "$(tail -n 1 "$work/out.log")"
}

echo "fixture: $fx; $(nproc) CPUs, $(go env GOVERSION), $(git --version)"
measure "mirror build (cold)" mirror
measure "mirror build (no-op)" mirror
measure "distribution build (cold)" distribution --config "$work/distribution.yaml"
measure "distribution build (no-op)" distribution --config "$work/distribution.yaml"
for o in mirror distribution; do
  echo "$o: $(find "$work/$o/p2" -name '*.json' ! -name '*~dev.json' | wc -l) packages, $(find "$work/$o" -name '*.zip' | wc -l) archives, $(du -sm "$work/$o" | cut -f1) MB"
done
