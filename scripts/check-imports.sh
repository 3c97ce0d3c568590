#!/usr/bin/env bash
# Keeps dependencies pointing one way: nothing under sip/ or media/ may
# import Fyne or app/.
set -euo pipefail
bad=$(go list -deps ./sip/... ./media/... 2>/dev/null | grep -E '^(fyne\.io/|github\.com/homeshore/homeshore/app(/|$))' || true)
if [ -n "$bad" ]; then
  echo "sip/ or media/ depends on the GUI or app/:" >&2
  echo "$bad" >&2
  exit 1
fi
