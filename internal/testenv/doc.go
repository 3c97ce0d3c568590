// Package testenv starts real SIP peers (Kamailio, baresip, sipp), PulseAudio
// null devices and test sounds on 127.0.0.1 for integration tests, and stops
// them when the test ends.
//
// Every Start function registers a t.Cleanup that kills the process group,
// waits for it and, when the test failed, prints the tail of the process log.
// Logs live in t.TempDir(). Ports are picked per test, so packages using these
// helpers can run in parallel.
//
// Components that are missing make a test fail when the environment variable
// CI is "true" and skip it otherwise (see Require).
package testenv
