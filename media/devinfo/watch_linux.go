package devinfo

import "context"

// Watch signals device changes (see WatchPulse): on Linux, PulseAudio's
// subscription events.
func Watch(ctx context.Context) (changed <-chan struct{}, stop func() error, err error) {
	return WatchPulse(ctx)
}
