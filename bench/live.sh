#!/usr/bin/env bash
# Wallboard benchmark (docs/BENCHMARKS.md, section "Wallboard"): 200 agents
# change state every ~3 s against homeshore-server while the console is open
# in headless Chromium; server CPU and state-change-to-browser latency, on
# SQLite, on PostgreSQL, and on two PostgreSQL replicas.
# Usage: bench/live.sh   (BENCH_AGENTS, BENCH_EVERY, BENCH_DURATION override)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test-db test-browser
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
set -x
go test -run '^$' -bench Wallboard -benchtime 1x -timeout 20m -v ./bench/live
BENCH_DB=postgres go test -run '^$' -bench Wallboard -benchtime 1x -timeout 20m -v ./bench/live
BENCH_DB=postgres BENCH_REPLICAS=2 go test -run '^$' -bench Wallboard -benchtime 1x -timeout 20m -v ./bench/live
