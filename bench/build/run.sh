#!/usr/bin/env bash
# bench/build/run.sh REPO_GIT_DIR [FROM]
#
# Cold build and no-op rerun of one Magento satellite repository (each-dir "" + _metapackage, mageos format),
# next to `git archive --format=tar` of the same tag trees, on the same machine in the same run. Prints wall
# time, CPU time (user+sys) and peak RSS of each.
#
# Default FROM is 1.1.5, the inventory repository's first mirrored tag:
#   bench/build/run.sh /path/to/mirror-inventory.git
set -euo pipefail
repo=$(cd "$1" && pwd)
from=${2:-1.1.5}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/magerepo" "$here/cmd/magerepo"
cat > "$work/profile.yaml" <<YAML
archive-format: mageos
base-url: https://mirror.example.com/
sources:
  - name: bench
    path: $repo
    from: "$from"
    packages:
      - each-dir: ""
        exclude: [.github/, _metapackage/, dev/, .git/]
      - metapackage-dir: _metapackage
YAML

measure() { # label command...
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out.log" 2>&1 || { cat "$work/out.log"; exit 1; }
  read -r wall user sys rss < "$work/time"
  printf '%-34s wall %7.2fs  cpu %7.2fs  peak RSS %6d MB\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024))
}

# The tags magerepo builds: release versions >= FROM (the build's own selection, read from its state file).
measure "magerepo build (cold)" "$work/magerepo" build -q --config "$work/profile.yaml" --out "$work/out" --cache "$work/cache"
tags=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(" ".join(sorted(t for v in s["sources"].values() for t in v["tags"])))' "$work/out/.magerepo/build-state.json")
echo "tags built: $(echo "$tags" | wc -w); archives: $(find "$work/out/dist" -name '*.zip' | wc -l); bytes: $(du -sb "$work/out/dist" | cut -f1)"
measure "magerepo build (no-op rerun)" "$work/magerepo" build -q --config "$work/profile.yaml" --out "$work/out" --cache "$work/cache"
cat > "$work/archive.sh" <<SH
for t in $tags; do git --git-dir "$repo" archive --format=tar "\$t" > /dev/null; done
SH
measure "git archive --format=tar (same tags)" bash "$work/archive.sh"
