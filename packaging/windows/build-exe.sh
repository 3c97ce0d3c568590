#!/usr/bin/env bash
# Cross-compiles Homeshore for Windows x64 with cgo (mingw-w64), linking the
# static PortAudio, Opus and speexdsp from build-deps.sh, so the .exe needs only DLLs that
# ship with Windows. Writes OUTDIR/homeshore.exe (GUI subsystem: no console
# window) and OUTDIR/homeshore-cli.exe (console subsystem, for IT's headless
# commands: `homeshore-cli check --json`), both with icon and version resource.
# Also links packaging/windows/linkcheck (PortAudio + Opus + Fyne) into
# OUTDIR/linkcheck.exe to prove the toolchain.
# Usage: packaging/windows/build-exe.sh GIT_VERSION OUTDIR
set -euo pipefail
gitver=${1:?usage: build-exe.sh GIT_VERSION OUTDIR}
out=$(mkdir -p "${2:?}" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
host=x86_64-w64-mingw32
go=${GO:-go}
deps=$("$here/build-deps.sh")
msiver=$("$root/packaging/version.sh" "$gitver" msi)

work=$(mktemp -d /tmp/homeshore-winexe.XXXXXX)
trap 'rm -rf "$work"' EXIT
# Icon and version resource, linked as an object file so the source tree stays untouched.
cp "$root/assets/icon.ico" "$work/icon.ico"
sed "s/@VERSION_COMMAS@/${msiver//./,}/g; s/@VERSION@/$gitver/g" "$here/homeshore.rc.in" >"$work/homeshore.rc"
(cd "$work" && $host-windres -O coff -i homeshore.rc -o rsrc.o)

export GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=$host-gcc CXX=$host-g++
export PKG_CONFIG_PATH="$deps/lib/pkgconfig" PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig"
# The dependency prefix in CGO_* flags makes Go's build cache notice a rebuilt prefix.
export CGO_CFLAGS="-O2 -I$deps/include" CGO_LDFLAGS="-O2 -L$deps/lib"
ldflags="-s -w -X github.com/homeshore/homeshore/app/version.Version=$gitver"
# External linking even while no cgo package is linked, so ld takes the resource object.
extld="-static $work/rsrc.o"
ldflags="$ldflags -linkmode external"
# nolibopusfile: the app decodes Opus packets, not Ogg files; libopusfile is not built for Windows.
tags=nolibopusfile
(cd "$root" && $go build -trimpath -tags "$tags" -ldflags "$ldflags -H windowsgui -extldflags '$extld'" -o "$out/homeshore.exe" ./app/cmd/homeshore-gui)
(cd "$root" && $go build -trimpath -tags "$tags" -ldflags "$ldflags -extldflags '$extld'" -o "$out/homeshore-cli.exe" .)
(cd "$here/linkcheck" && $go build -trimpath -tags "$tags" -ldflags "-s -w -H windowsgui -extldflags -static" -o "$out/linkcheck.exe" .)
echo "$out/homeshore.exe"
