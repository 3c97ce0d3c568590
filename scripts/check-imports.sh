#!/usr/bin/env bash
# Keeps dependencies pointing one way: nothing under sip/ or media/ may
# import Fyne or app/, and only the device layer (media/audiodev, and
# media/devinfo for device properties) may link an audio-device library,
# so sip and the call's media path build without one; the pre-shift check
# never links the outgoing-audio processing.
set -euo pipefail
bad=$(go list -deps ./sip/... ./media/... 2>/dev/null | grep -E '^(fyne\.io/|github\.com/homeshore/homeshore/app(/|$))' || true)
if [ -n "$bad" ]; then
  echo "sip/ or media/ depends on the GUI or app/:" >&2
  echo "$bad" >&2
  exit 1
fi
audio_libs='^(github\.com/gordonklaus/portaudio|github\.com/jfreymuth/pulse)(/|$)'
for goos in linux windows darwin; do
  deps=$(CGO_ENABLED=1 GOOS=$goos go list -f '{{.ImportPath}}{{range .Deps}} {{.}}{{end}}' ./sip/... ./media/...)
  bad=$(echo "$deps" | grep -Ev '^github\.com/homeshore/homeshore/media/(audiodev|devinfo)(/| |$)' |
    awk -v re="$audio_libs" '{for (i = 2; i <= NF; i++) if ($i ~ re) print $1 " -> " $i}')
  if [ -n "$bad" ]; then
    echo "sip/ or media/ (GOOS=$goos) depends on an audio-device library; devices belong in media/audiodev:" >&2
    echo "$bad" >&2
    exit 1
  fi
done
# The pre-shift check measures the raw microphone: it must never link the
# outgoing-audio processing (noise suppression would make a noisy room pass).
bad=$(go list -deps ./app/precheck/... 2>/dev/null | grep -E '^github\.com/homeshore/homeshore/media/dsp(/|$)' || true)
if [ -n "$bad" ]; then
  echo "app/precheck depends on media/dsp: the check must measure the raw microphone" >&2
  exit 1
fi
