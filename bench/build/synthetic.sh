#!/usr/bin/env bash
# bench/build/synthetic.sh [MODULES] [FILES] [TAGS]
#
# Scale benchmark without network: generates a monorepo shaped like magento2's app/code (MODULES module
# directories of FILES files, ~2 KB each, TAGS release tags that each bump every module's version and change one
# file per module), then measures a cold build, a no-op rerun and a rerun after one more tag (wall, CPU, peak RSS).
# Defaults: 250 modules x 60 files x 20 tags = 5,000 archives from trees of 15,000 files.
set -euo pipefail
modules=${1:-250} files=${2:-60} tags=${3:-20}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/magerepo" "$here/cmd/magerepo"
git init -q --bare "$work/repo.git"
python3 - "$modules" "$files" "$tags" <<'PY' | git --git-dir "$work/repo.git" fast-import --quiet
import sys, random
modules, files, tags = map(int, sys.argv[1:])
rnd = random.Random(1)
def blob(s):
    b = s.encode()
    return "data %d\n%s\n" % (len(b), s)
out = sys.stdout
def body(m, f, t):
    return ("<?php\n// module %d file %d, release %d\n" % (m, f, t)) + ("// " + "x" * 60 + "\n") * 30
for t in range(tags + 1):
    out.write("commit refs/heads/main\nmark :%d\ncommitter Bench <b@example.invalid> %d +0000\n" % (t + 1, 1700000000 + t * 86400))
    out.write(blob("release %d" % t))
    if t > 0:
        out.write("from :%d\n" % t)
    for m in range(modules):
        d = "app/code/Vendor/Module%03d" % m
        cj = '{\n    "name": "vendor/module-%03d",\n    "type": "magento2-module",\n    "version": "100.%d.0",\n    "require": {"php": "~8.2.0||~8.3.0", "vendor/framework": "103.0.*"}\n}\n' % (m, t)
        out.write("M 100644 inline %s/composer.json\n%s" % (d, blob(cj)))
        changed = range(files) if t == 0 else [rnd.randrange(files)]
        for f in changed:
            out.write("M 100644 inline %s/Model/File%03d.php\n%s" % (d, f, blob(body(m, f, t))))
    out.write("\n")
    out.write("reset refs/tags/2.%d.0\nfrom :%d\n\n" % (t, t + 1))
PY
cat > "$work/profile.yaml" <<YAML
archive-format: mageos
base-url: https://mirror.example.com/
sources:
  - name: synthetic
    path: $work/repo.git
    from: "2.1.0"
    packages:
      - each-dir: app/code/Vendor
YAML

measure() { # label command...
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > "$work/out.log" 2>&1 || { cat "$work/out.log"; exit 1; }
  read -r wall user sys rss < "$work/time"
  printf '%-28s wall %7.2fs  cpu %7.2fs  peak RSS %6d MB  %s\n' "$label" "$wall" "$(echo "$user + $sys" | bc)" $((rss / 1024)) "$(tail -1 "$work/out.log")"
}
measure "cold build" "$work/magerepo" build --config "$work/profile.yaml" --out "$work/out" --cache "$work/cache" -q
measure "no-op rerun" "$work/magerepo" build --config "$work/profile.yaml" --out "$work/out" --cache "$work/cache" -q
echo "archives: $(find "$work/out/dist" -name '*.zip' | wc -l); bytes: $(du -sb "$work/out/dist" | cut -f1)"
