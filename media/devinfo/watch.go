package devinfo

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jfreymuth/pulse/proto"
)

// ErrWatchLost: the sound server went away while watching.
var ErrWatchLost = errors.New("lost the connection to the sound server while watching devices")

// WatchPulse subscribes to sink, source, card and server events and signals
// changed once per burst of events (the receiver re-reads PulseDevices; the
// channel holds one pending signal, so bursts coalesce). It returns once
// subscribed. stop ends the watch, closes the connection and returns
// ErrWatchLost if the server went away first; it is idempotent. changed is
// closed when the watch ends.
func WatchPulse(ctx context.Context) (changed <-chan struct{}, stop func() error, err error) {
	c, conn, err := proto.Connect("")
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrNoAudioServer, err)
	}
	sig := make(chan struct{}, 1)
	lost := make(chan struct{})
	var lostOnce sync.Once
	c.Callback = func(msg any) {
		switch msg.(type) {
		case *proto.SubscribeEvent:
			select {
			case sig <- struct{}{}:
			default:
			}
		case *proto.ConnectionClosed:
			lostOnce.Do(func() { close(lost) })
		}
	}
	props := proto.PropList{"application.name": proto.PropListString("Homeshore device watch")}
	if err := c.Request(&proto.SetClientName{Props: props}, &proto.SetClientNameReply{}); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("%w: %v", ErrNoAudioServer, err)
	}
	mask := proto.SubscriptionMaskSink | proto.SubscriptionMaskSource | proto.SubscriptionMaskCard | proto.SubscriptionMaskServer
	if err := c.Request(&proto.Subscribe{Mask: mask}, nil); err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("%w: subscribe: %v", ErrNoAudioServer, err)
	}
	out := make(chan struct{}, 1)
	quit := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		defer close(out)
		for {
			select {
			case <-sig:
				select {
				case out <- struct{}{}:
				default:
				}
			case <-lost:
				done <- ErrWatchLost
				return
			case <-ctx.Done():
				done <- nil
				return
			case <-quit:
				done <- nil
				return
			}
		}
	}()
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			close(quit)
			stopErr = <-done
			conn.Close()
		})
		return stopErr
	}
	return out, stop, nil
}
