#!/usr/bin/env bash
# Builds static PortAudio, Opus and speexdsp (noise suppression, gain, echo
# cancellation: media/dsp) for x86_64-w64-mingw32 from Debian's own
# source packages (the same upstream versions the Linux build links), so
# homeshore.exe needs no extra DLLs. PortAudio gets the MME and DirectSound host
# APIs: its 19.6 WASAPI code does not compile with mingw-w64 (upstream's own
# CMake build turns WASAPI off for MinGW; fixed in 19.7, not in Debian 12).
# Sources come through `apt-get source` with a private sources list (the
# machine's apt configuration is untouched); apt checks every file against the
# signed Sources index.
# The result is cached outside the repository, keyed by source versions,
# compiler version and this script's hash: re-runs cost nothing.
# Usage: packaging/windows/build-deps.sh   -> prints the prefix (PKG_CONFIG_PATH is PREFIX/lib/pkgconfig)
set -euo pipefail
host=x86_64-w64-mingw32
portaudio_src=${PORTAUDIO_SRC:-portaudio19=19.6.0-1.2}
opus_src=${OPUS_SRC:-opus=1.3.1-3}
speexdsp_src=${SPEEXDSP_SRC:-speexdsp=1.2.1-1}
cache_root=${HOMESHORE_WIN_DEPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/homeshore/win-deps}
cc_version=$($host-gcc -dumpfullversion)
script_hash=$(sha256sum "$0" | cut -c1-12)
key="${portaudio_src//=/_}+${opus_src//=/_}+${speexdsp_src//=/_}+gcc${cc_version}+${script_hash}"
prefix="$cache_root/$key"
if [ -f "$prefix/.done" ]; then echo "$prefix"; exit 0; fi

work=$(mktemp -d /tmp/homeshore-win-deps.XXXXXX)
stage="$prefix.partial"
trap 'rm -rf "$work" "$stage"' EXIT
log="$work/build.log"
fail() { echo "build-deps: $1 (log follows)" >&2; tail -40 "$log" >&2; exit 1; }

mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" >"$work/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=-"
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Sandbox::User=root")
apt-get "${apt_opts[@]}" -qq update >>"$log" 2>&1 || fail "apt-get update of Debian sources failed: is deb.debian.org reachable?"
(cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only "$portaudio_src" "$opus_src" "$speexdsp_src") >>"$log" 2>&1 ||
  fail "apt-get source $portaudio_src $opus_src $speexdsp_src failed"
(cd "$work/src" && for dsc in *.dsc; do dpkg-source --no-check -x "$dsc" >>"$log" 2>&1; done) || fail "dpkg-source -x failed"

rm -rf "$stage"; mkdir -p "$stage"
jobs=$(nproc)
(
  cd "$work/src"/opus-*/
  ./configure --host=$host --prefix="$stage" --enable-static --disable-shared \
    --disable-doc --disable-extra-programs
  make -j"$jobs" && make install
) >>"$log" 2>&1 || fail "opus build failed"
(
  cd "$work/src"/portaudio19-*/
  ./configure --host=$host --prefix="$stage" --enable-static --disable-shared \
    --with-winapi=wmme,directx
  make -j"$jobs" lib/libportaudio.la && make install
) >>"$log" 2>&1 || fail "portaudio build failed"
# Floating point (the default): speexdsp's automatic gain needs it.
(
  cd "$work/src"/speexdsp-*/
  ./configure --host=$host --prefix="$stage" --enable-static --disable-shared \
    --disable-examples
  make -j"$jobs" && make install
) >>"$log" 2>&1 || fail "speexdsp build failed"
# pkg-config files point at the staging path; rewrite to the final prefix.
sed -i "s|$stage|$prefix|g" "$stage"/lib/pkgconfig/*.pc
# Opus builds with _FORTIFY_SOURCE=2, whose mingw-w64 checks live in libssp:
# keep the hardening and link libssp (statically, like everything else).
sed -i 's|^Libs: \(.*-lopus\)$|Libs: \1 -lssp|' "$stage/lib/pkgconfig/opus.pc"
grep -q -- '-lssp' "$stage/lib/pkgconfig/opus.pc" || fail "could not add -lssp to opus.pc"
cp "$log" "$stage/build.log"
touch "$stage/.done"
rm -rf "$prefix"; mv "$stage" "$prefix"
trap 'rm -rf "$work"' EXIT
echo "$prefix"
