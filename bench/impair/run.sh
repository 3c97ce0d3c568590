#!/usr/bin/env bash
# Call audio through the impaired network (docs/BENCHMARKS.md, section
# "Call audio through an impaired network"): Homeshore and baresip 1.0.0 as
# senders and receivers through internal/impair between two network
# namespaces, scored on the receiver's playout. Needs root (namespaces, TUN).
# Usage: bench/impair/run.sh [BEFORE_BINARY]
#   With BEFORE_BINARY (another build of homeshore), every Homeshore call is
#   also run with it, right before, and both rows are printed.
# Knobs: IMPAIR_SEEDS (2), IMPAIR_SECONDS (20), IMPAIR_ONLY=mouth|loss.
# About 20 minutes with the defaults (40 with a before binary).
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh build test-sip test-audio
make --no-print-directory build
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); baresip $(dpkg-query -W -f '${Version}' baresip 2>/dev/null || echo '?')"
export HOMESHORE_BIN="$PWD/bin/homeshore"
if [ $# -gt 0 ]; then export IMPAIR_BIN_BEFORE="$(realpath "$1")"; fi
exec timeout 100m scripts/with-test-env.sh go test -run '^$' -bench ImpairedMatrix -benchtime 1x -timeout 95m -v ./bench/impair/
