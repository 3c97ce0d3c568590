#!/usr/bin/env bash
# Signs the .deb (debsigs, "origin" signature) and .rpm (rpmsign) in OUTDIR with
# the OpenPGP key the build is given, and writes what IT needs to verify them:
# the public key, a debsig-verify policy + keyring laid out as under
# /etc/debsig/policies and /usr/share/debsig/keyrings, and OUTDIR/apt: a flat
# apt repository (Packages, Release, InRelease, Release.gpg) signed with the same
# key, which apt itself verifies on every `apt-get update`.
# Env: HOMESHORE_SIGN_KEY (key fingerprint or ID, required), GNUPGHOME (optional).
# Usage: packaging/sign-linux.sh OUTDIR
set -euo pipefail
out=${1:?usage: sign-linux.sh OUTDIR}
key=${HOMESHORE_SIGN_KEY:?HOMESHORE_SIGN_KEY is not set: give the fingerprint of the OpenPGP signing key (make test-package makes a throwaway one)}
gnupghome=${GNUPGHOME:-$HOME/.gnupg}
fpr=$(gpg --batch --with-colons --list-secret-keys "$key" 2>/dev/null | awk -F: '$1=="fpr"{print $10; exit}')
[ -n "$fpr" ] || { echo "sign-linux: no secret key $key in $gnupghome" >&2; exit 1; }
# debsig-verify names origins by the full fingerprint for v4 keys it reads with gpgv.
keyid=$fpr

for deb in "$out"/*.deb; do
  debsigs --sign=origin --default-key="$fpr" "$deb"
done
for rpm in "$out"/*.rpm; do
  # rpmsign warns that it cannot set GPG_TTY in batch runs; that is expected.
  rpmsign --addsign --define "_gpg_name $fpr" --define "_gpg_path $gnupghome" --define "__gpg $(command -v gpg)" "$rpm" 2>&1 >/dev/null |
    { grep -v 'GPG_TTY' >&2 || true; }
done

gpg --batch --armor --export "$fpr" >"$out/homeshore-signing-key.asc"
pol="$out/debsig/policies/$keyid"
ring="$out/debsig/keyrings/$keyid"
mkdir -p "$pol" "$ring"
gpg --batch --export "$fpr" >"$ring/debsig.gpg"
cat >"$pol/homeshore.pol" <<POL
<?xml version="1.0"?>
<!DOCTYPE Policy SYSTEM "https://www.debian.org/debsig/1.0/policy.dtd">
<Policy xmlns="https://www.debian.org/debsig/1.0/">
  <Origin Name="Homeshore" id="$keyid" Description="Homeshore packages"/>
  <Selection>
    <Required Type="origin" File="debsig.gpg" id="$keyid"/>
  </Selection>
  <Verification MinOptional="0">
    <Required Type="origin" File="debsig.gpg" id="$keyid"/>
  </Verification>
</Policy>
POL

# Flat apt repository: `deb [signed-by=/usr/share/keyrings/homeshore.gpg] URL/apt ./`
repo="$out/apt"
rm -rf "$repo"; mkdir -p "$repo"
cp "$out"/*.deb "$repo/"
gpg --batch --export "$fpr" >"$repo/homeshore.gpg"
(
  cd "$repo"
  apt-ftparchive packages . >Packages
  gzip -9n -k Packages
  apt-ftparchive -o APT::FTPArchive::Release::Origin=Homeshore -o APT::FTPArchive::Release::Label=Homeshore \
    -o APT::FTPArchive::Release::Suite=stable -o APT::FTPArchive::Release::Codename=stable release . >../Release.tmp
  mv ../Release.tmp Release
  gpg --batch --yes --local-user "$fpr" --clearsign -o InRelease Release
  gpg --batch --yes --local-user "$fpr" --detach-sign --armor -o Release.gpg Release
)
