#!/usr/bin/env bash
# Authenticode-signs Windows files in place with osslsigncode (SHA-256), then
# verifies the signature against the given CA so a bad certificate fails the build.
# Env: HOMESHORE_AUTHENTICODE_CERT (PEM certificate chain, leaf first),
#      HOMESHORE_AUTHENTICODE_KEY (PEM private key),
#      HOMESHORE_AUTHENTICODE_CA (PEM of the root to verify against; default: the chain itself),
#      HOMESHORE_TIMESTAMP_URL (optional RFC 3161 server; use one for releases,
#      so signatures outlive the certificate).
# Usage: packaging/windows/sign.sh FILE...
set -euo pipefail
cert=${HOMESHORE_AUTHENTICODE_CERT:?HOMESHORE_AUTHENTICODE_CERT is not set: give the PEM code-signing certificate (make test-package makes a throwaway one)}
key=${HOMESHORE_AUTHENTICODE_KEY:?HOMESHORE_AUTHENTICODE_KEY is not set: give the PEM private key of the code-signing certificate}
ca=${HOMESHORE_AUTHENTICODE_CA:-$cert}
ts=()
[ -z "${HOMESHORE_TIMESTAMP_URL:-}" ] || ts=(-ts "$HOMESHORE_TIMESTAMP_URL")
for f in "$@"; do
  osslsigncode sign -certs "$cert" -key "$key" -h sha256 -n Homeshore \
    -i https://github.com/homeshore/homeshore "${ts[@]}" -in "$f" -out "$f.signed" >/dev/null
  mv "$f.signed" "$f"
  osslsigncode verify -CAfile "$ca" -in "$f" >/dev/null ||
    { echo "sign.sh: $f does not verify against $ca after signing" >&2; exit 1; }
done
