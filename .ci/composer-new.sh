#!/usr/bin/env bash
# Provides the newest Composer client that Debian packages (2.11, from the unstable suite) next to the system's
# Composer (bookworm: 2.5.5), without installing it system-wide, and prints the path of its wrapper, for
# MAGEREPO_COMPOSER_NEW (cmd/magerepo/magento_real_e2e_test.go runs create-project with both clients: the mirror
# must work with the Composer most people use today, whose audit blocks packages with advisories by default).
#
#   usage: bash .ci/composer-new.sh [DIR]      (prints DIR/bin/composer)
#
# DIR defaults to /opt/magerepo-composer-2.11 as root, else ~/.cache/magerepo-composer-2.11. A second run whose
# DIR/bin/composer already prints Composer 2.11.x does nothing (about 0.1 s).
#
# How, and why this way:
# - apt with its own state: a sources list with only the unstable suite (nothing else is downloaded from it),
#   its own lists/cache/status and an empty sources.list.d, passed as -o Dir::... options. The system's apt
#   state, sources and installed packages are not touched, so bookworm's packages stay as they are.
# - The mirror is the one this machine's apt already uses for its release (found in /etc/apt/sources.list or
#   /etc/apt/sources.list.d/*.list|*.sources), so no host is named here and a local mirror keeps working.
# - `apt-get download` + `dpkg-deb -x` of composer and the PHP libraries it depends on (found by walking the
#   Depends of the unstable packages, see below) into DIR/root; nothing is configured or run as root by dpkg.
# - Debian's PHP libraries are loaded by generated autoload.php files that require their dependencies either
#   relative to __DIR__ (same source package) or by the absolute path /usr/share/php/... (other packages). The
#   absolute ones would load bookworm's older copies (or fail: php-enum is not installed there), and an
#   include_path cannot redirect an absolute path, so those requires are rewritten to __DIR__-relative paths into
#   the unpacked tree (DIR/root/usr/share/php): the tree stays relocatable and never reads /usr/share/php.
# - Debian unstable runs PHP 8.4 and drops the symfony/polyfill-php83/-php84 requirements of upstream Composer
#   and Symfony 7.4; bookworm's php-cli is 8.2, and Composer 2.11 calls PHP 8.4 functions (array_find,
#   array_any, array_all in its solver and auditor). So both polyfills (php83 first) are unpacked too and loaded
#   before anything else by an auto_prepend_file, set in an ini file that the wrapper adds via PHP_INI_SCAN_DIR
#   (a leading ':' keeps the system's conf.d). An environment variable rather than `php -d`, so PHP processes
#   that Composer itself starts (scripts running @composer, @php) get the polyfills as well.
set -euo pipefail

series=2.11
if [ $# -ge 1 ]; then
  dir=$1
elif [ "$(id -u)" -eq 0 ]; then
  dir=/opt/magerepo-composer-$series
else
  dir=${XDG_CACHE_HOME:-$HOME/.cache}/magerepo-composer-$series
fi

log() { echo "composer-new: $*" >&2; }

wrapper_ok() {
  [ -x "$dir/bin/composer" ] || return 1
  local v
  v=$(COMPOSER_ALLOW_SUPERUSER=1 "$dir/bin/composer" --version --no-ansi 2>/dev/null) || return 1
  case "$v" in "Composer version $series."*) return 0 ;; esac
  return 1
}

if wrapper_ok; then
  echo "$dir/bin/composer"
  exit 0
fi

# --- the mirror of this machine's Debian release ---------------------------------------------------------------
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$codename" ] || { log "no VERSION_CODENAME in /etc/os-release"; exit 1; }

# mirror_from FILE...: prints "URI KEYRING" of the first enabled deb entry for suite $codename.
mirror_from() {
  local f
  for f in "$@"; do
    [ -r "$f" ] || continue
    case "$f" in
      *.sources)
        # deb822: paragraphs of "Field: value" separated by blank lines.
        awk -v want="$codename" '
          function flush() {
            if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ") && tolower(enabled) != "no" && uri != "")
              { print uri, signed; found = 1; exit }
            types = suites = uri = signed = enabled = ""
          }
          /^[ \t]*#/ { next }
          /^[ \t]*$/ { flush(); next }
          { key = tolower($1); sub(/:$/, "", key); val = $0; sub(/^[^:]*:[ \t]*/, "", val) }
          key == "types" { types = val } key == "suites" { suites = val } key == "enabled" { enabled = val }
          key == "uris" { split(val, u, /[ \t]+/); uri = u[1] } key == "signed-by" { signed = val }
          END { if (!found) flush() }' "$f" ;;
      *)
        # one-line format: deb [options] URI suite components...
        awk -v want="$codename" '
          /^[ \t]*#/ || $1 != "deb" { next }
          { i = 2; signed = ""
            if ($i ~ /^\[/) { while (i <= NF) { if ($i ~ /^signed-by=/) { signed = $i; sub(/^signed-by=/, "", signed); sub(/\]$/, "", signed) }
                                                 if ($i ~ /\]$/) { i++; break } i++ } }
            if ($(i+1) == want) { print $i, signed; exit } }' "$f" ;;
    esac
  done | head -n 1
}

sources_files=(/etc/apt/sources.list)
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -e "$f" ] && sources_files+=("$f")
done
read -r mirror keyring < <(mirror_from "${sources_files[@]}") || true
[ -n "${mirror:-}" ] || { log "no deb entry for suite $codename in ${sources_files[*]}"; exit 1; }
# Signed-By may be a path or an inline key block; only a path can be passed on. Unstable is signed with the
# archive keys that the release's keyring holds.
case "${keyring:-}" in /*) ;; *) keyring=/usr/share/keyrings/debian-archive-keyring.gpg ;; esac
[ -r "$keyring" ] || { log "keyring $keyring not readable"; exit 1; }
log "unstable suite from $mirror (the mirror of $codename in this machine's apt sources)"

# --- private apt state ------------------------------------------------------------------------------------------
apt=$dir.apt
mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$apt/preferences.d" "$apt/debs"
echo "deb [signed-by=$keyring] $mirror unstable main" >"$apt/sources.list"
: >"$apt/state/status" # an empty dpkg status: the private apt knows no installed packages
aptopts=(
  -o "Dir::State=$apt/state" -o "Dir::State::status=$apt/state/status" -o "Dir::Cache=$apt/cache"
  # a binary cache file, so the many apt-cache calls below don't each parse the index again (Debian's Docker
  # images turn these off in apt.conf.d/docker-clean)
  -o "Dir::Cache::pkgcache=$apt/cache/pkgcache.bin" -o "Dir::Cache::srcpkgcache=$apt/cache/srcpkgcache.bin"
  -o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
  -o "Dir::Etc::Preferences=$apt/preferences" -o "Dir::Etc::PreferencesParts=$apt/preferences.d"
  # only the Packages index is needed (not AppStream metadata, icons or Contents)
  -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false
  -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false
  -o Acquire::Languages=none
)
if [ "$(id -u)" -eq 0 ] && id _apt >/dev/null 2>&1; then
  chown -R _apt "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/debs" # apt's download sandbox
fi
apt-get "${aptopts[@]}" update -qq

version=$(apt-cache "${aptopts[@]}" show composer | awk '/^Version:/ { print $2; exit }')
case "$version" in
  "$series".*) ;;
  *) log "unstable has composer ${version:-(none)}, not $series.x: update series in $0"; exit 1 ;;
esac

# --- the packages: composer and the PHP libraries below it ---------------------------------------------------------
# Walk the Depends (first alternative; virtual names skipped) from composer. A package is unpacked when it is
# Architecture: all, Section: php, not php-common and does not depend on a phpX.Y-* package: that keeps the
# libraries (jsonlint, php-composer-*, php-symfony-*, php-json-schema, php-enum, php-psr-*, php-react-promise,
# php-seld-*) and leaves out the runtime packages (php-cli, php-json, php-mbstring, ...), which bookworm provides.
field() { apt-cache "${aptopts[@]}" show "$1" 2>/dev/null | awk -v k="$2:" '$1 == k { sub(/^[^:]*:[ \t]*/, ""); print; exit }'; }
is_library() {
  local p=$1
  [ "$p" != php-common ] || return 1
  [ "$(field "$p" Architecture)" = all ] && [ "$(field "$p" Section)" = php ] || return 1
  ! field "$p" Depends | tr ',|' '\n\n' | awk '{print $1}' | grep -qE '^php[0-9]+\.[0-9]+-'
}
declare -A seen=()
queue=(composer)
pkgs=()
while [ ${#queue[@]} -gt 0 ]; do
  p=${queue[0]}
  queue=("${queue[@]:1}")
  [ -z "${seen[$p]:-}" ] || continue
  seen[$p]=1
  is_library "$p" || continue
  pkgs+=("$p")
  while read -r d; do
    [ -n "$d" ] && queue+=("$d")
  done < <(field "$p" Depends | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//' | awk '{print $1}')
done
pkgs+=(php-symfony-polyfill-php83 php-symfony-polyfill-php84) # for PHP 8.2, see the top
log "downloading ${#pkgs[@]} packages: ${pkgs[*]}"
rm -f "$apt/debs"/*.deb
(cd "$apt/debs" && apt-get "${aptopts[@]}" download -qq "${pkgs[@]}")

# --- unpack, redirect the autoloaders, wrap -----------------------------------------------------------------------
rm -rf "$dir"
mkdir -p "$dir/root" "$dir/bin" "$dir/php.d"
for deb in "$apt/debs"/*.deb; do
  dpkg-deb -x "$deb" "$dir/root"
  dpkg-deb -f "$deb" Package Version | awk '{ print $2 }' | paste -sd ' ' >>"$dir/PACKAGES"
done
php_root=$dir/root/usr/share/php
grep -rlZ "'/usr/share/php/" "$php_root" | while IFS= read -r -d '' f; do
  rel=${f#"$php_root"/}
  up=$(dirname "$rel")
  [ "$up" = . ] || up=$(echo "$up" | sed 's#[^/][^/]*#..#g')
  sed -i "s#'/usr/share/php/#__DIR__ . '/$up/#g" "$f"
done
if grep -rq "/usr/share/php/" --include='*.php' "$php_root"; then
  log "absolute /usr/share/php paths left in the unpacked tree:"
  grep -rn "/usr/share/php/" --include='*.php' "$php_root" >&2
  exit 1
fi

cat >"$dir/polyfills.php" <<'EOF'
<?php
// Loaded first (auto_prepend_file) by bin/composer: Composer 2.11 from Debian unstable targets PHP 8.4; these
// define the PHP 8.3 and 8.4 functions and classes bookworm's PHP 8.2 lacks (see .ci/composer-new.sh).
require_once __DIR__ . '/root/usr/share/php/Symfony/Polyfill/Php83/autoload.php';
require_once __DIR__ . '/root/usr/share/php/Symfony/Polyfill/Php84/autoload.php';
EOF
echo "auto_prepend_file = \"$dir/polyfills.php\"" >"$dir/php.d/99-magerepo-composer-polyfills.ini"
cat >"$dir/bin/composer" <<'EOF'
#!/bin/sh
# Composer from Debian unstable, unpacked by .ci/composer-new.sh, run with this machine's php.
here=$(cd "$(dirname "$0")/.." && pwd)
PHP_INI_SCAN_DIR="${PHP_INI_SCAN_DIR:-}:$here/php.d"
export PHP_INI_SCAN_DIR
exec php "$here/root/usr/bin/composer" "$@"
EOF
chmod +x "$dir/bin/composer"

if ! wrapper_ok; then
  log "$dir/bin/composer does not report Composer $series.x:"
  COMPOSER_ALLOW_SUPERUSER=1 "$dir/bin/composer" --version >&2 || true
  exit 1
fi
log "$(COMPOSER_ALLOW_SUPERUSER=1 "$dir/bin/composer" --version --no-ansi 2>/dev/null) in $dir"
echo "$dir/bin/composer"
