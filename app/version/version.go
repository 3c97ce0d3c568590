// Package version holds the build's version, stamped by the linker from git.
package version

// Version is set with -ldflags "-X github.com/homeshore/homeshore/app/version.Version=...".
var Version = "dev"
