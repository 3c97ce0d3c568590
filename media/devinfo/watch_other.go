//go:build !linux && !windows

package devinfo

import (
	"context"
	"time"
)

// watchPoll is how often the device list is re-read where the system gives
// no change events (macOS).
const watchPoll = 2 * time.Second

// Watch signals every watchPoll: the receiver re-reads List and compares.
func Watch(ctx context.Context) (changed <-chan struct{}, stop func() error, err error) {
	return pollWatch(ctx, watchPoll)
}
