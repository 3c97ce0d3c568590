//go:build !cgo

package dsp

// Available reports whether this build links the DSP library.
const Available = false

func newEngine(Config) (engine, error) { return nil, ErrUnavailable }
