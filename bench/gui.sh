#!/usr/bin/env bash
# GUI benchmark: time from launch to window shown for the Homeshore GUI
# (demo setup), then idle memory and CPU of Homeshore and linphone-desktop
# side by side in the same run, on one Xvfb display, in the private
# PulseAudio + D-Bus session of scripts/with-test-env.sh.
# Usage: bench/gui.sh [IDLE_SECONDS]   (default 30). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-30}

if [ -z "${HOMESHORE_BENCH_INNER:-}" ]; then
  scripts/install-deps.sh bench-gui screenshots
  mkdir -p bin
  # no_emoji drops Fyne's bundled emoji font (about 15 MiB of RSS); the UI
  # shows no emoji. The release build should use the same tags.
  go build -tags "${GO_TAGS-no_emoji}" -o bin/homeshore-demo ./app/demo/cmd/homeshore-demo
  go build -tags "${GO_TAGS-no_emoji}" -o bin/fynehello ./bench/fynehello
  export HOMESHORE_BENCH_INNER=1
  exec scripts/with-test-env.sh xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$idle"
fi

tmp=$(mktemp -d /tmp/homeshore-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
# Both apps get a fresh home: first-run state, nothing from the developer.
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/home/.config"
mkdir -p "$HOME"
tck=$(getconf CLK_TCK)

# Launch to shown: the demo prints the Unix time (ns) when Fyne reports the
# window started; we take the median of 5 launches.
launches=()
for i in 1 2 3 4 5; do
  log="$tmp/launch$i.log"
  t0=$(date +%s%N)
  bin/homeshore-demo -print-shown 2>"$log" &
  pid=$!
  for _ in $(seq 200); do grep -q '^shown ' "$log" && break; sleep 0.05; done
  t1=$(awk '/^shown /{print $2; exit}' "$log")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ -n "$t1" ] || { echo "bench: the GUI did not show a window, see $log" >&2; cat "$log" >&2; exit 1; }
  launches+=($(( (t1 - t0) / 1000000 )))
done
launch_ms=$(printf '%s\n' "${launches[@]}" | sort -n | sed -n 3p)

# cpu_ticks PID: utime+stime of PID and its children, in clock ticks.
cpu_ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$(( total + $(awk '{print $14 + $15}' "/proc/$p/stat") ))
  done
  echo "$total"
}
# rss_kb PID: resident memory of PID and its children.
rss_kb() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/status" ] && total=$(( total + $(awk '/^VmRSS/{print $2}' "/proc/$p/status") ))
  done
  echo "$total"
}

# gl_kb PID: resident memory of Mesa's software renderer (libLLVM, the DRI
# driver), which Xvfb forces on both apps and a GPU driver would replace.
gl_kb() {
  awk '/^[0-9a-f]+-[0-9a-f]+ /{gl = ($6 ~ /libLLVM|\/dri\//)} /^Rss:/{if (gl) t += $2} END{print t + 0}' "/proc/$1/smaps"
}

bin/homeshore-demo >"$tmp/homeshore.log" 2>&1 &
hs=$!; pids+=("$hs")
linphone >"$tmp/linphone.log" 2>&1 &
lp=$!; pids+=("$lp")
bin/fynehello >"$tmp/fynehello.log" 2>&1 &
fh=$!; pids+=("$fh")
sleep 10 # both finish starting before "idle" begins
for p in "$hs" "$lp" "$fh"; do
  kill -0 "$p" 2>/dev/null || { echo "bench: process $p exited early" >&2; cat "$tmp"/*.log >&2; exit 1; }
done
hs0=$(cpu_ticks "$hs"); lp0=$(cpu_ticks "$lp"); fh0=$(cpu_ticks "$fh")
sleep "$idle"
hs1=$(cpu_ticks "$hs"); lp1=$(cpu_ticks "$lp"); fh1=$(cpu_ticks "$fh")
hs_rss=$(rss_kb "$hs"); lp_rss=$(rss_kb "$lp"); fh_rss=$(rss_kb "$fh")
hs_gl=$(gl_kb "$hs"); lp_gl=$(gl_kb "$lp"); fh_gl=$(gl_kb "$fh")
cpu() { awk -v d="$1" -v t="$tck" -v s="$idle" 'BEGIN{printf "%.2f", 100*d/t/s}'; }

mib() { echo "$(($1 / 1024)) MiB"; }
echo "| measure | Homeshore GUI (demo) | linphone-desktop $(dpkg-query -W -f='${Version}' linphone-desktop) | Fyne hello world (floor) |"
echo "| --- | --- | --- | --- |"
echo "| launch → window shown (median of 5) | ${launch_ms} ms (runs: ${launches[*]}) | – | – |"
echo "| idle RSS after ${idle} s | $(mib "$hs_rss") | $(mib "$lp_rss") | $(mib "$fh_rss") |"
echo "| idle CPU over ${idle} s | $(cpu $((hs1 - hs0))) % | $(cpu $((lp1 - lp0))) % | $(cpu $((fh1 - fh0))) % |"
echo "| of which Mesa software GL (libLLVM, DRI) | $(mib "$hs_gl") | $(mib "$lp_gl") | $(mib "$fh_gl") |"
echo "| idle RSS without Mesa software GL | $(mib $((hs_rss - hs_gl))) | $(mib $((lp_rss - lp_gl))) | $(mib $((fh_rss - fh_gl))) |"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "| RSS / linphone's (total; without Mesa) | $(ratio "$hs_rss" "$lp_rss"); $(ratio $((hs_rss - hs_gl)) $((lp_rss - lp_gl))) | 1 | $(ratio "$fh_rss" "$lp_rss"); $(ratio $((fh_rss - fh_gl)) $((lp_rss - lp_gl))) |"
