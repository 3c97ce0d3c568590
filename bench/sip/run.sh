#!/usr/bin/env bash
# SIP calls vs baresip (docs/BENCHMARKS.md, section "SIP calls vs baresip"):
# CPU per call-minute per endpoint for 1, 4 and 8 concurrent Opus calls over
# loopback, start -> registered on a digest Kamailio, resident memory
# mid-call; Homeshore and baresip 1.0.0 in the same run with the same audio.
# Everything runs inside scripts/with-test-env.sh (private PulseAudio and
# D-Bus); every process the benchmark starts is stopped by it; 127.0.0.1 only.
# Usage: bench/sip/run.sh   (from anywhere in the repository)
# Knobs: SIPBENCH_WINDOW (default 20s), SIPBENCH_CALLS (default 1,4,8),
#        SIPBENCH_REGISTERS (default 20). About 4 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh build test-sip test-audio test-keyring
make --no-print-directory build
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); baresip $(dpkg-query -W -f '${Version}' baresip 2>/dev/null || echo '?')"
export HOMESHORE_BIN="$PWD/bin/homeshore"
exec timeout 15m scripts/with-test-env.sh go test -run '^$' -bench SIPVsBaresip -benchtime 1x -timeout 12m ./bench/sip/
