//go:build linux

package devinfo

import "context"

// List returns this machine's audio devices (PulseAudio / PipeWire-Pulse).
func List(ctx context.Context) ([]Device, error) { return PulseDevices(ctx) }
