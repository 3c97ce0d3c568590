package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
)

// This file is the only bridge from other goroutines to the widgets: core
// events, ticks and the results of blocking backend calls all arrive through
// post, which hands them to the Fyne thread with fyne.Do.

// post runs f on the Fyne thread.
func (c *Controller) post(f func()) { fyne.Do(f) }

// async runs work off the Fyne thread (backend calls may block on the
// network) and then applies its result on the Fyne thread.
func (c *Controller) async(work func(ctx context.Context) func()) {
	ctx := c.ctx
	c.spawn(func() {
		apply := work(ctx)
		if apply != nil && ctx.Err() == nil {
			c.post(apply)
		}
	})
}

// pumpEvents turns the core's typed events into UI updates until ctx ends
// or the source closes.
func (c *Controller) pumpEvents(ctx context.Context) {
	if c.be.Events == nil {
		<-ctx.Done()
		return
	}
	events := c.be.Events.Events()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			c.post(func() { c.handle(ev) })
		}
	}
}

// pumpTicks refreshes the shift, call and wrap-up timers once a second.
func (c *Controller) pumpTicks(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.post(c.tick)
		}
	}
}

// handle applies one core event; it runs on the Fyne thread only.
func (c *Controller) handle(ev Event) {
	switch ev := ev.(type) {
	case RegistrationChanged:
		c.onRegistration(ev.Status)
	case IncomingCall:
		c.onIncoming(ev.Call)
	case CallEstablished:
		c.onEstablished(ev.Call)
	case CallClosed:
		c.onClosed(ev.CallID, ev.By, ev.Reason)
	case QualityUpdated:
		c.onQuality(ev.CallID, ev.Quality)
	case DTMFReceived:
		// Nothing to show: digits from customers are for IVR peers.
	case ShiftStateChanged:
		c.onShiftState(ev.Status)
	case MessagesChanged:
		c.onMessages(ev)
	case DeviceLost:
		c.onDeviceLost(ev.Device, c.tr.Text(ev.Message))
	case SoundDefaultChanged:
		c.onSoundDefault(ev)
	case TransferUpdated:
		c.onTransfer(ev)
	case CheckProgressed:
		c.check.progress(ev.Progress)
	case MonitorChanged:
		c.onMonitor(ev.Session)
	case HeadsetButton:
		c.onHeadsetButton(ev.Button)
	case UpdateAvailable:
		c.onUpdate(ev)
	}
}

// tick runs on the Fyne thread once a second.
func (c *Controller) tick() {
	c.home.tick()
	c.wrap.tick()
}
