package devinfo

import (
	"context"
	"sync"
	"time"
)

// pollWatch signals every period until stopped; the same contract as
// WatchPulse (changed holds one pending signal and is closed at the end).
func pollWatch(ctx context.Context, period time.Duration) (<-chan struct{}, func() error, error) {
	out := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	var once sync.Once
	return out, func() error {
		once.Do(func() {
			cancel()
			<-done
		})
		return nil
	}, nil
}
