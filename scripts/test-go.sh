#!/usr/bin/env bash
# Runs the Go tests (inside scripts/with-test-env.sh) in two phases:
# packages whose tests play real-time audio (devices, calls, the mixer) run
# one package at a time, so two of them never starve each other of CI's two
# cores (audio under-runs would fail their speech checks); everything else
# runs two packages at a time.
# Usage: scripts/test-go.sh [go test flags...]
set -euo pipefail
GO=${GO:-go}
realtime=(./app/cli ./app/core/... ./app/demo ./app/precheck ./bench/impair
  ./internal/testenv ./media ./media/audiodev ./media/dsp ./media/mixer ./sip)

# Build every test binary first, two at a time (-exec true runs none).
"$GO" test -count=1 -run '^$' -exec true ./... >/dev/null
mapfile -t rt < <("$GO" list "${realtime[@]}")
mapfile -t rest < <("$GO" list ./... | grep -v -x -F -f <(printf '%s\n' "${rt[@]}"))
status=0
"$GO" test -p 2 "$@" "${rest[@]}" || status=$?
"$GO" test -p 1 "$@" "${rt[@]}" || status=$?
exit $status
