#!/usr/bin/env bash
# Runs a command with a sound server. When none answers (a fresh machine, a
# container, an SSH session), starts a private PulseAudio for as long as the
# command runs, with a virtual wired USB headset wired like a real one, so
# the demo's own pre-shift check passes for the right reasons:
#   demo_headset      the headset's earpiece (null sink, USB headset)
#   demo_room         the room around the agent: quiet background noise
#                     plays into it, and the demo menu makes it noisy
#   demo_headset_mic  the headset's microphone: hears the room only, so the
#                     earpiece does not leak into it (no "open speakers")
# HOMESHORE_DEMO_SOUND=private tells the demo it may change these devices
# (its menu simulates a Bluetooth headset, a noisy room, an unplug).
# The desktop's own session is never touched.
# Usage: scripts/with-sound.sh COMMAND [ARG ...]
set -euo pipefail
if pactl info >/dev/null 2>&1 || ! command -v pulseaudio >/dev/null; then
  exec "$@"
fi
runtime=$(mktemp -d /tmp/homeshore-sound.XXXXXX)
export PULSE_RUNTIME_PATH="$runtime" PULSE_SERVER="unix:$runtime/native"
room_pid=""
cleanup() {
  [ -n "$room_pid" ] && kill "$room_pid" 2>/dev/null || true
  pactl exit >/dev/null 2>&1 || true
  rm -rf "$runtime"
}
trap cleanup EXIT
usb='device.bus=usb device.form_factor=headset device.vendor.id=0b0e device.product.id=0312'
pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
  --load="module-native-protocol-unix socket=$runtime/native" \
  --log-target=file:"$runtime/pulseaudio.log" 2>/dev/null || { echo "with-sound: could not start PulseAudio; the demo runs silent" >&2; exec "$@"; }
for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
pactl load-module module-null-sink sink_name=demo_headset rate=48000 \
  "sink_properties=\"device.description=Demo-USB-headset $usb\"" >/dev/null
pactl load-module module-null-sink sink_name=demo_room rate=48000 \
  'sink_properties="device.description=Demo-room device.form_factor=internal"' >/dev/null
pactl load-module module-remap-source master=demo_room.monitor source_name=demo_headset_mic \
  "source_properties=\"device.description=Demo-USB-headset-microphone $usb\"" >/dev/null
pactl set-default-sink demo_headset
pactl set-default-source demo_headset_mic
# A quiet room still has a little noise (about -75 dBFS): a microphone that
# hears nothing at all is a dead one, and the check says so.
pacat --playback --raw --format=s16le --rate=48000 --channels=1 --device=demo_room \
  --volume=4500 --client-name=demo-room </dev/urandom >/dev/null 2>&1 &
room_pid=$!
export HOMESHORE_DEMO_SOUND=private
echo "with-sound: no sound server was running; started a private one with a virtual USB headset" >&2
"$@"
