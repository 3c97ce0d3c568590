#!/usr/bin/env bash
# Builds the unsigned .deb and .rpm of Homeshore with nfpm from a Linux binary.
# Runtime dependencies are read from the binary itself (dpkg-shlibdeps for the
# deb, ELF NEEDED sonames as rpm capabilities), on top of the libraries the app
# always needs (PortAudio, Opus, GL), so the packages match what was linked.
# Usage: packaging/linux/build.sh BINARY GIT_VERSION OUTDIR
set -euo pipefail
bin=${1:?usage: build.sh BINARY GIT_VERSION OUTDIR}
gitver=${2:?}
out=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
nfpm=${NFPM:?NFPM must point at the nfpm binary (see packaging/packaging.mk)}
version=$("$root/packaging/version.sh" "$gitver")
gui="$(dirname "$bin")/homeshore-gui"
for b in "$bin" "$gui"; do
  [ -x "$b" ] || { echo "linux/build.sh: no binary at $b: run make build first" >&2; exit 1; }
done

stage=$(mktemp -d /tmp/homeshore-pkg.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/debian" "$out"
# Debian policy wants stripped binaries; the debug info is of no use on agents' machines.
strip --strip-unneeded -o "$stage/homeshore" "$bin"
strip --strip-unneeded -o "$stage/homeshore-gui" "$gui"
gzip -9n -c "$here/homeshore.1" >"$stage/homeshore.1.gz"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}")/" \
  "$here/changelog.in" | gzip -9n >"$stage/changelog.gz"

# deb: dpkg-shlibdeps wants a debian/control next to it.
printf 'Source: homeshore\n\nPackage: homeshore\nArchitecture: amd64\n' >"$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O -e homeshore -e homeshore-gui 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
deb_deps=()
IFS=',' read -ra found <<<"$shlibs"
for d in "${found[@]}" libportaudio2 libopus0 libgl1; do
  d=$(echo "$d" | xargs)
  [ -n "$d" ] || continue
  name=${d%% *}
  if [[ " ${deb_deps[*]-} " != *" $name "* && " ${deb_deps[*]-} " != *" $name ("* ]]; then deb_deps+=("$d"); fi
done
# rpm: the soname capabilities rpm's own dependency generator would write.
rpm_deps=()
for so in $(readelf -d "$stage/homeshore" "$stage/homeshore-gui" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p') libportaudio.so.2 libopus.so.0 libGL.so.1; do
  cap="$so()(64bit)"
  [[ " ${rpm_deps[*]-} " == *" $cap "* ]] || rpm_deps+=("$cap")
done

yaml() {
  cat <<YAML
name: homeshore
arch: amd64
platform: linux
version: "$version"
version_schema: none
release: "1"
section: net
priority: optional
maintainer: "Homeshore Maintainers <packaging@homeshore.org>"
vendor: Homeshore
homepage: https://github.com/homeshore/homeshore
license: Proprietary
description: |-
  Softphone with pre-shift equipment checks for home agents
   Homeshore is a SIP softphone for customer-service agents who work from
   home. Before each shift it checks the headset, microphone, room noise and
   network against thresholds set by the employer; IT manages its settings
   through the machine-wide policy file /etc/homeshore/policy.json.
contents:
  - src: $stage/homeshore
    dst: /usr/bin/homeshore
    file_info: {mode: 0755}
  - src: $stage/homeshore-gui
    dst: /usr/bin/homeshore-gui
    file_info: {mode: 0755}
  - src: $here/org.homeshore.Homeshore.desktop
    dst: /usr/share/applications/org.homeshore.Homeshore.desktop
    file_info: {mode: 0644}
  - src: $here/org.homeshore.Homeshore.metainfo.xml
    dst: /usr/share/metainfo/org.homeshore.Homeshore.metainfo.xml
    file_info: {mode: 0644}
  - src: $root/assets/icon.svg
    dst: /usr/share/icons/hicolor/scalable/apps/org.homeshore.Homeshore.svg
    file_info: {mode: 0644}
  - src: $root/assets/icon-48.png
    dst: /usr/share/icons/hicolor/48x48/apps/org.homeshore.Homeshore.png
    file_info: {mode: 0644}
  - src: $root/assets/icon-128.png
    dst: /usr/share/icons/hicolor/128x128/apps/org.homeshore.Homeshore.png
    file_info: {mode: 0644}
  - src: $root/assets/icon.png
    dst: /usr/share/icons/hicolor/256x256/apps/org.homeshore.Homeshore.png
    file_info: {mode: 0644}
  - src: $root/assets/icon-512.png
    dst: /usr/share/icons/hicolor/512x512/apps/org.homeshore.Homeshore.png
    file_info: {mode: 0644}
  - src: $stage/homeshore.1.gz
    dst: /usr/share/man/man1/homeshore.1.gz
    file_info: {mode: 0644}
  - src: $here/copyright
    dst: /usr/share/doc/homeshore/copyright
    file_info: {mode: 0644}
  - src: $here/policy.json
    dst: /etc/homeshore/policy.json
    type: config|noreplace
    file_info: {mode: 0644}
  - src: $root/packaging/policy.sample.json
    dst: /etc/homeshore/policy.sample.json
    type: config|noreplace
    file_info: {mode: 0644}
  # rpm only removes directories a package owns (dpkg removes the empty ones it made).
  - dst: /etc/homeshore
    type: dir
    file_info: {mode: 0755}
    packager: rpm
  - dst: /usr/share/doc/homeshore
    type: dir
    file_info: {mode: 0755}
    packager: rpm
  - src: $here/homeshore.lintian-overrides
    dst: /usr/share/lintian/overrides/homeshore
    file_info: {mode: 0644}
    packager: deb
  - src: $stage/changelog.gz
    dst: /usr/share/doc/homeshore/changelog.Debian.gz
    file_info: {mode: 0644}
    packager: deb
  - src: $stage/changelog.gz
    dst: /usr/share/doc/homeshore/changelog.gz
    file_info: {mode: 0644}
    packager: rpm
overrides:
  deb:
    depends:
YAML
  for d in "${deb_deps[@]}"; do echo "      - \"$d\""; done
  echo "  rpm:"
  echo "    depends:"
  for d in "${rpm_deps[@]}"; do echo "      - \"$d\""; done
  cat <<YAML
rpm:
  group: Applications/Communications
  summary: Softphone with pre-shift equipment checks for home agents
  compression: zstd
deb:
  compression: xz
YAML
}
yaml >"$stage/nfpm.yaml"
cp "$stage/nfpm.yaml" "$out/nfpm.yaml"
"$nfpm" package --config "$stage/nfpm.yaml" --packager deb --target "$out/" >/dev/null
"$nfpm" package --config "$stage/nfpm.yaml" --packager rpm --target "$out/" >/dev/null
ls "$out"/homeshore*"$version"*.deb "$out"/homeshore*.rpm
