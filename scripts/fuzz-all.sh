#!/usr/bin/env bash
# Runs every Go fuzz target briefly (seed corpus plus FUZZTIME of new inputs).
# Usage: scripts/fuzz-all.sh [FUZZTIME]
set -euo pipefail
fuzztime=${1:-10s}
# Targets left to their seed corpus (which `go test` runs) instead of timed
# fuzzing here, each with the reason:
# - FuzzWriteBodies (server): a long-lived fuzz worker stalls after some
#   10-40 thousand requests against one SQLite database (state-dependent,
#   under investigation); timed fuzzing would make CI fail at random.
#   Run it by hand: go test -run '^$' -fuzz '^FuzzWriteBodies$' ./server/
skip=" ${FUZZ_SKIP-FuzzWriteBodies} "
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    if [[ "$skip" == *" $target "* ]]; then
      echo "fuzz: $pkg $target: seed corpus only (see FUZZ_SKIP in $0)"
      continue
    fi
    echo "fuzz: $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
