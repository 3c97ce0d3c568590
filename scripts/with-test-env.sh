#!/usr/bin/env bash
# Runs a command inside Homeshore's test environment and tears it down after:
#   - a private PulseAudio (own XDG_RUNTIME_DIR, so a developer's own sound
#     server is never touched) with a default null sink and microphone;
#   - a private D-Bus session with gnome-keyring's Secret Service, unlocked.
# Servers that belong to one test (Kamailio, baresip, sipp, PostgreSQL) are
# started and stopped by that test, see internal/testenv.
# Usage: scripts/with-test-env.sh COMMAND [ARG ...]
set -euo pipefail

if [ -z "${HOMESHORE_TEST_ENV_INNER:-}" ]; then
  runtime=$(mktemp -d /tmp/homeshore-test-env.XXXXXX)
  chmod 700 "$runtime"
  export XDG_RUNTIME_DIR="$runtime"
  export PULSE_RUNTIME_PATH="$runtime/pulse"
  unset PULSE_SERVER
  cleanup() {
    pulseaudio --kill >/dev/null 2>&1 || true
    rm -rf "$runtime"
  }
  trap cleanup EXIT
  # -n: no default.pa, so the only devices are the ones loaded here and by tests.
  pulseaudio --daemonize=yes --exit-idle-time=-1 -n \
    --load=module-native-protocol-unix \
    --load="module-null-sink sink_name=homeshore_default rate=48000 sink_properties=device.description=Homeshore-default-output" \
    --log-target=file:"$runtime/pulseaudio.log" 2>/dev/null
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { echo "with-test-env: PulseAudio did not start, see $runtime/pulseaudio.log" >&2; exit 2; }
  pactl load-module module-remap-source master=homeshore_default.monitor \
    source_name=homeshore_default_mic >/dev/null
  pactl set-default-sink homeshore_default
  pactl set-default-source homeshore_default_mic
  set +e
  HOMESHORE_TEST_ENV_INNER=1 dbus-run-session -- "$0" "$@"
  status=$?
  set -e
  exit $status
fi

# Inside the D-Bus session: unlock a throwaway login keyring.
keyring_dir=$(mktemp -d /tmp/homeshore-keyring.XXXXXX)
export XDG_DATA_HOME="$keyring_dir"
eval "$(echo -n homeshore-test | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# Create the default collection now, once: tests that store their first
# secret at the same moment would race to create it.
printf 'x' | secret-tool store --label=homeshore-test-init service homeshore-test-init key init >/dev/null 2>&1 || true
secret-tool clear service homeshore-test-init key init >/dev/null 2>&1 || true
# Stop only this environment's daemon (it inherited XDG_DATA_HOME): other
# test environments may run on the same machine at the same time.
stop_keyring() {
  for pid in $(pgrep -f 'gnome-keyring-daemon.*--components=secrets' || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "XDG_DATA_HOME=$keyring_dir"; then
      kill "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$keyring_dir" || true
}
trap stop_keyring EXIT
"$@"
