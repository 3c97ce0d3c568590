#!/usr/bin/env bash
# Prints the package version for deb, rpm and MSI, derived from the binary's
# git-described version (the same string the Makefile stamps into the binary):
#   v1.2.3            -> 1.2.3
#   v1.2.3-4-gabcdef  -> 1.2.3+4.gabcdef   (MSI: 1.2.3.4)
#   abcdef (no tag)   -> BASE~git.abcdef    where BASE is FyneApp.toml's Version (MSI: BASE.0)
# Usage: packaging/version.sh GIT_DESCRIBE [deb|msi]
set -euo pipefail
desc=${1:?usage: version.sh GIT_DESCRIBE [deb|msi]}
kind=${2:-deb}
root=$(cd "$(dirname "$0")/.." && pwd)
base=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' "$root/FyneApp.toml")
desc=${desc%-dirty}
if [[ $desc =~ ^v?([0-9]+\.[0-9]+\.[0-9]+)(-([0-9]+)-g([0-9a-f]+))?$ ]]; then
  ver=${BASH_REMATCH[1]} commits=${BASH_REMATCH[3]:-} hash=${BASH_REMATCH[4]:-}
  if [ "$kind" = msi ]; then echo "$ver.${commits:-0}"; exit 0; fi
  if [ -n "$commits" ]; then echo "$ver+$commits.g$hash"; else echo "$ver"; fi
elif [[ $desc =~ ^[0-9a-f]{4,40}$ ]]; then
  if [ "$kind" = msi ]; then echo "$base.0"; else echo "$base~git.$desc"; fi
else
  if [ "$kind" = msi ]; then echo "$base.0"; else echo "$base~dev"; fi
fi
