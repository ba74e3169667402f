#!/usr/bin/env bash
# bench/build/bigfile.sh [SIZE_MB]
#
# Peak memory of a build whose package holds one huge file (default 1024 MB = 1 GiB), in three variants:
#
#   random  SIZE_MB of /dev/urandom, mageos format (STORE). zlib cannot shrink it: git's pack holds the full size.
#   text    base64 lines of random bytes (76 columns, LF) with `*.txt text=auto eol=crlf`, mageos format:
#           compressible (zlib gets it to ~78%), and the worst case of end-of-line conversion: text=auto makes
#           magerepo read the blob twice (decide, then convert to CRLF), both times streamed.
#   deflate the same text, deflate format (compressed while it streams into the zip).
#
# git's own storage matters, because the git processes magerepo starts are part of what is measured:
#   - Blobs above core.bigFileThreshold (512 MiB by default) are never delta-compressed (a delta is rebuilt in
#     memory), and `git cat-file --batch` streams a packed one through mmap windows, which magerepo keeps small
#     (internal/gitsrc: core.packedGitWindowSize=32m, core.packedGitLimit=64m; git's defaults map up to 1 GiB).
#   - A loose object is mapped whole while it is streamed: a freshly added 1 GiB file with an eol attribute is
#     written loose (the conversion needs it in memory) and would show ~800 MB of resident file pages in git.
#     Mirrors fetched into the cache are always packs; these repositories are repacked to match (`git repack
#     -a -d`), and read in place (a `path:` source), so no `git fetch` runs.
#
# Each line shows `/usr/bin/time -v`'s "Maximum resident set size" (the largest of magerepo and the git
# processes it waited for), magerepo's own peak (VmHWM, sampled from /proc while it runs) and wall time.
# Needs about 4 x SIZE_MB of free disk in TMPDIR (repository, archive, the archive writer's spill file).
set -euo pipefail
size_mb=${1:-1024}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 1; }

go build -o "$work/magerepo" "$here/cmd/magerepo"

# make_repo DIR KIND: a repository with composer.json and one SIZE_MB file, tagged 1.0.0.
make_repo() {
  local dir=$1 kind=$2
  git init -q "$dir"
  git -C "$dir" config core.autocrlf false
  printf '{\n    "name": "bench/bigfile",\n    "version": "1.0.0"\n}\n' > "$dir/composer.json"
  case $kind in
    random) head -c "${size_mb}M" /dev/urandom > "$dir/big.bin" ;;
    text)
      printf '*.txt text=auto eol=crlf\n' > "$dir/.gitattributes"
      head -c "${size_mb}M" < <(base64 -w 76 /dev/urandom) > "$dir/big.txt" ;; # no SIGPIPE under pipefail
  esac
  git -C "$dir" add -A 2>/dev/null # (the eol warning)
  git -C "$dir" -c user.name=bench -c user.email=b@example.invalid commit -q -m bigfile
  git -C "$dir" tag 1.0.0
  git -C "$dir" repack -a -d -q # as a fetched mirror: one pack, no loose objects
  rm -f "$dir/big.bin" "$dir/big.txt" # the work tree is never read: only the object database
}

# measure LABEL REPO FORMAT: cold build, then the peaks.
measure() {
  local label=$1 repo=$2 format=$3 out="$work/out-$1"
  cat > "$work/profile.yaml" <<YAML
archive-format: $format
base-url: https://mirror.example.com/
sources:
  - name: bigfile
    path: $repo
    packages: [{dir: ""}]
YAML
  local start=$SECONDS
  TMPDIR="$work" /usr/bin/time -v -o "$work/time" \
    "$work/magerepo" build --config "$work/profile.yaml" --out "$out" --cache "$work/cache" -q > "$work/out.log" 2>&1 &
  local tpid=$! hwm=0 pid=""
  while kill -0 "$tpid" 2>/dev/null; do
    [ -n "$pid" ] || pid=$(pgrep -P "$tpid" -x magerepo || true)
    if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
      local v; v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      [ "${v:-0}" -gt "$hwm" ] && hwm=$v
    fi
    sleep 0.2
  done
  wait "$tpid" || { cat "$work/out.log"; exit 1; }
  local rss; rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
  local zip; zip=$(find "$out" -name '*.zip' -printf '%s\n')
  printf '%-8s %4d MB file  zip %5d MB  /usr/bin/time -v max RSS %4d MB  magerepo VmHWM %4d MB  wall %4ds\n' \
    "$label" "$size_mb" $((zip >> 20)) $((rss / 1024)) $((hwm / 1024)) $((SECONDS - start))
  rm -rf "$out"
}

make_repo "$work/random" random
echo "git pack of random:  $(du -sm "$work/random/.git/objects" | cut -f1) MB"
measure random "$work/random" mageos
rm -rf "$work/random"

make_repo "$work/text" text
echo "git pack of text:    $(du -sm "$work/text/.git/objects" | cut -f1) MB"
measure text "$work/text" mageos
measure deflate "$work/text" deflate
