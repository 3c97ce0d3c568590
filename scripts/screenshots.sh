#!/usr/bin/env bash
# Takes screenshots of every main GUI screen in English and French under
# Xvfb and saves them in docs/screenshots/{en,fr}/*.png. The Go test in
# app/ui (flag -screenshots) drives real Fyne windows; xwd grabs them.
# A person looks at them before they are committed.
# Usage: scripts/screenshots.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshots}
scripts/install-deps.sh screenshots
mkdir -p "$out"
# A fixed locale and no session bus keep the run reproducible (no tray).
env -u DBUS_SESSION_BUS_ADDRESS LANG=C.UTF-8 \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  go test -count=1 -run '^$' ./app/ui -screenshots "$(cd "$out" && pwd)"
find "$out" -name '*.png' | sort
