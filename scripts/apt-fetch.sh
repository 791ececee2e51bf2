#!/usr/bin/env bash
# Downloads Debian packages that are not installed on the host and unpacks
# them into a directory, without touching /etc/apt or dpkg's architectures:
# apt runs with a private sources list and state under the cache directory.
#   usage: apt-fetch.sh <cache dir> <suite> <arch> <dest dir> <package>...
#   e.g.   apt-fetch.sh build-aarch64/apt bookworm arm64 build-aarch64/sysroot libcmocka-dev
# A package already unpacked into <dest dir> (a stamp file) is skipped.
set -eu
cache=$(realpath -m "$1") suite=$2 arch=$3 dest=$(realpath -m "$4"); shift 4
st=$cache/$suite-$arch
mkdir -p "$st/lists/partial" "$st/cache/archives/partial" "$st/debs" "$dest"
echo "deb http://deb.debian.org/debian $suite main" >"$st/sources.list"
apt_private() {
  apt-get -q -o Dir::Etc::sourcelist="$st/sources.list" -o Dir::Etc::sourceparts=- \
    -o Dir::State::Lists="$st/lists" -o Dir::Cache="$st/cache" \
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root \
    -o APT::Architecture="$arch" -o APT::Architectures::="$arch" "$@"
}
todo=()
for p in "$@"; do [ -f "$dest/.fetched-$p" ] || todo+=("$p"); done
[ ${#todo[@]} -gt 0 ] || exit 0
echo "fetching ($suite, $arch): ${todo[*]}"
[ -n "$(ls "$st/lists" 2>/dev/null | grep -v partial)" ] || apt_private update >/dev/null
for p in "${todo[@]}"; do
  # A mirror caught mid-sync leaves an index out: refresh once and retry.
  (cd "$st/debs" && rm -f "${p}"_*.deb && apt_private download "$p:$arch" >/dev/null) ||
    { apt_private update >/dev/null;
      (cd "$st/debs" && apt_private download "$p:$arch" >/dev/null); }
  dpkg-deb -x "$st/debs/${p}"_*.deb "$dest"
  rm -f "$st/debs/${p}"_*.deb
  touch "$dest/.fetched-$p"
done
