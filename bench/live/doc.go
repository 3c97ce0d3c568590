// Package livebench measures the supervisors' wallboard under load: many
// simulated agents change state every few seconds against a real
// homeshore-server while the console is open in headless Chromium; it
// reports the server's CPU and the latency from a state change to the
// browser. The benchmark lives in its tests; bench/live.sh runs it.
package livebench
