#!/usr/bin/env bash
# Runs every Go fuzz target briefly: its seed corpus plus a budget of new inputs.
# Usage: scripts/fuzz-all.sh [BUDGET]
#   BUDGET as for go test -fuzztime, applied to every target; without it each
#   target gets its default below.
#
# Budgets are execution counts ("50000x"), not durations: with a duration, Go
# 1.26's fuzz coordinator can report "context deadline exceeded" as a failure
# when the deadline fires while a worker is busy on a loaded machine
# (go.dev/issue/75804, fixed in Go 1.27). A count has no deadline to race.
set -euo pipefail
budget=${1:-}
# Targets whose inputs are expensive get a smaller count so the whole run
# stays around a minute on two cores.
declare -A per_target=([FuzzDecodeJSON]=20000x [FuzzCheckRequest]=20000x [FuzzCanonicalUsername]=20000x [FuzzClientAddr]=20000x [FuzzAnalysis]=10000x [FuzzWriteBodies]=30000x [FuzzTicketIDRoundTrip]=5000x [FuzzTimes]=5000x)
# FUZZ_SKIP="FuzzA FuzzB" leaves targets to their seed corpus (which
# `go test` runs anyway).
skip=" ${FUZZ_SKIP:-} "
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    if [[ "$skip" == *" $target "* ]]; then
      echo "fuzz: $pkg $target: seed corpus only (see FUZZ_SKIP in $0)"
      continue
    fi
    n=${budget:-${per_target[$target]:-50000x}}
    echo "fuzz: $pkg $target ($n)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$n" -timeout 5m "$pkg"
  done
done
