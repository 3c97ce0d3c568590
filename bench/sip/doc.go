// Package sipbench compares Homeshore's headless SIP calls with baresip's
// (CPU per call, start-to-registered time, resident memory); the
// benchmark lives in its tests and bench/sip/run.sh runs it.
package sipbench
