#!/usr/bin/env bash
# Builds OUTDIR/homeshore-VERSION-x64.msi with wixl from homeshore.wxs and the
# (already signed) executables in OUTDIR, then lists the IT properties in
# SecureCustomProperties so they also reach the elevated install when a
# non-admin user starts a managed install (wixl writes that property itself,
# so it is completed afterwards with msibuild).
# Usage: packaging/windows/build-msi.sh GIT_VERSION OUTDIR
set -euo pipefail
gitver=${1:?usage: build-msi.sh GIT_VERSION OUTDIR}
out=$(cd "${2:?}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
msiver=$("$root/packaging/version.sh" "$gitver" msi)
pkgver=$("$root/packaging/version.sh" "$gitver")
msi="$out/homeshore-$pkgver-x64.msi"

stage=$(mktemp -d /tmp/homeshore-msi.XXXXXX)
trap 'rm -rf "$stage"' EXIT
# wixl resolves sources relative to the working directory only.
cp "$here/homeshore.wxs" "$root/assets/icon.ico" "$root/packaging/policy.sample.json" \
  "$out/homeshore.exe" "$out/homeshore-cli.exe" "$stage/"
(cd "$stage" && wixl -a x64 -D Version="$msiver" -D GitVersion="$gitver" -o "$stage/out.msi" homeshore.wxs)

props=$(sed -n 's/.*<CustomAction Id="Keep[A-Za-z]*" Property="\([A-Z_]*\)".*/\1/p' "$here/homeshore.wxs" | paste -sd';')
current=$(msiinfo export "$stage/out.msi" Property | awk -F'\t' '$1=="SecureCustomProperties"{print $2}')
msibuild "$stage/out.msi" -q "UPDATE \`Property\` SET \`Value\` = '$current;$props' WHERE \`Property\` = 'SecureCustomProperties'"
# Windows Installer ignores ProductVersion's fourth field when it compares
# versions, and builds between tags differ only there (version.sh: X.Y.Z.N):
# make the upgrade row's maximum inclusive, as WiX's AllowSameVersionUpgrades
# does (wixl lacks it), so such a build upgrades in place instead of
# installing beside the previous one (found by the Wine MSI test).
# Attributes is part of the table's key, which SQL UPDATE cannot change:
# re-import the edited table.
msiinfo export "$stage/out.msi" Upgrade >"$stage/Upgrade.idt"
sed -i 's/\t1\t\tWIX_UPGRADE_DETECTED/\t513\t\tWIX_UPGRADE_DETECTED/' "$stage/Upgrade.idt"
grep -q '	513		WIX_UPGRADE_DETECTED' "$stage/Upgrade.idt" || { echo "build-msi: could not make the upgrade row inclusive" >&2; exit 1; }
msibuild "$stage/out.msi" -i "$stage/Upgrade.idt"
mv "$stage/out.msi" "$msi"
echo "$msi"
