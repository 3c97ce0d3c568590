#!/usr/bin/env bash
# Ticket benchmarks (docs/BENCHMARKS.md, section "Tickets"): first sync of
# 10 000 tickets, screen-pop latency (local cache and HTTP), 100 concurrent
# simulated agents on SQLite and PostgreSQL. PostgreSQL comes from
# scripts/install-deps.sh test-db; the benchmark starts its own cluster.
# Usage: bench/tickets.sh   (from anywhere in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test-db
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD 2>/dev/null || echo '?') on $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
set -x
go test -run '^$' -bench 'FirstSync10000' -benchtime 5x ./app/tickets
go test -run '^$' -bench 'LookupByPhoneLocal' ./app/tickets
go test -run '^$' -bench 'LookupByPhone$' ./server
go test -run '^$' -bench 'ConcurrentAgents100' -benchtime 1x ./server
