#!/usr/bin/env bash
# make test-package: builds every package with throwaway signing keys, then runs
# the package tests (go test -tags packaging ./packaging/pkgtest) on the results.
# Nothing on the machine changes: keys live in a temp dir, installs go to temp roots.
set -euo pipefail
cd "$(dirname "$0")/.."
go=${GO:-go}
make=${MAKE:-make}
keys=$(mktemp -d /tmp/homeshore-testkeys.XXXXXX)
export GNUPGHOME="$keys/gnupg"
cleanup() {
  gpgconf --kill all >/dev/null 2>&1 || true
  rm -rf "$keys"
}
trap cleanup EXIT
mkdir -m 700 "$GNUPGHOME"

# OpenPGP signing key for deb/rpm (no passphrase, expires tomorrow).
gpg --batch --quiet --passphrase '' --quick-gen-key "Homeshore Test Packaging <test@homeshore.invalid>" ed25519 sign 1d 2>/dev/null
HOMESHORE_SIGN_KEY=$(gpg --batch --with-colons --list-secret-keys | awk -F: '$1=="fpr"{print $10; exit}')
export HOMESHORE_SIGN_KEY

# Authenticode: a throwaway root CA and a code-signing certificate it issued.
openssl req -x509 -newkey rsa:3072 -nodes -keyout "$keys/ca.key" -out "$keys/ca.pem" -days 2 \
  -subj "/CN=Homeshore Test Root" -addext "basicConstraints=critical,CA:true" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:3072 -nodes -keyout "$keys/sign.key" -out "$keys/sign.csr" \
  -subj "/CN=Homeshore Test Code Signing/O=Homeshore" 2>/dev/null
printf 'basicConstraints=CA:false\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n' >"$keys/ext.cnf"
openssl x509 -req -in "$keys/sign.csr" -CA "$keys/ca.pem" -CAkey "$keys/ca.key" -CAcreateserial \
  -out "$keys/sign.pem" -days 2 -extfile "$keys/ext.cnf" 2>/dev/null
cat "$keys/sign.pem" "$keys/ca.pem" >"$keys/chain.pem"
export HOMESHORE_AUTHENTICODE_CERT="$keys/chain.pem" HOMESHORE_AUTHENTICODE_KEY="$keys/sign.key"
export HOMESHORE_AUTHENTICODE_CA="$keys/ca.pem"

# The update tests under Wine need an installed build that is a release (a
# "dev" or bare-hash build is never offered updates): without a tag, stamp
# what the next release line would print, vBASE-COMMITS-gHASH.
if ! git describe --tags >/dev/null 2>&1; then
  base=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
  VERSION="v$base-$(git rev-list --count HEAD)-g$(git rev-parse --short HEAD)"
  export VERSION
fi
"$make" --no-print-directory package ${VERSION:+VERSION=$VERSION}
# The Wine tests add about 3-4 minutes (docs/packaging.md).
HOMESHORE_DIST="$PWD/dist" "$go" test -tags packaging -count=1 -timeout 30m ./packaging/pkgtest/
