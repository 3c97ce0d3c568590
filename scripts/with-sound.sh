#!/usr/bin/env bash
# Runs a command with a sound server. When none answers (a fresh machine, a
# container, an SSH session), starts a private PulseAudio with a virtual
# headset (a null sink and a microphone from its monitor) for as long as
# the command runs. The desktop's own session is never touched.
# Usage: scripts/with-sound.sh COMMAND [ARG ...]
set -euo pipefail
if pactl info >/dev/null 2>&1 || ! command -v pulseaudio >/dev/null; then
  exec "$@"
fi
runtime=$(mktemp -d /tmp/homeshore-sound.XXXXXX)
export PULSE_RUNTIME_PATH="$runtime" PULSE_SERVER="unix:$runtime/native"
cleanup() {
  pactl exit >/dev/null 2>&1 || true
  rm -rf "$runtime"
}
trap cleanup EXIT
pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
  --load="module-native-protocol-unix socket=$runtime/native" \
  --load="module-null-sink sink_name=demo_headset rate=48000 sink_properties=device.description=Virtual-headset" \
  --log-target=file:"$runtime/pulseaudio.log" 2>/dev/null || { echo "with-sound: could not start PulseAudio; the demo runs silent" >&2; exec "$@"; }
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl load-module module-remap-source master=demo_headset.monitor source_name=demo_headset_mic \
  'source_properties=device.description=Virtual-headset-microphone' >/dev/null
pactl set-default-sink demo_headset
pactl set-default-source demo_headset_mic
echo "with-sound: no sound server was running; started a private one with a virtual headset" >&2
"$@"
