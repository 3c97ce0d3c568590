package managed

import "errors"

// ErrNotManaged means no registry policy is set on this machine (or the OS has no registry).
var ErrNotManaged = errors.New("no registry policy for Homeshore on this machine")

// ErrBadValue is wrapped with the value's name when a registry value cannot be used;
// the message tells IT which value to fix.
var ErrBadValue = errors.New("bad Homeshore registry policy value")
