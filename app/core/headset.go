package core

import (
	"context"
	"errors"
	"sync"

	"github.com/homeshore/homeshore/app/headset"
	"github.com/homeshore/homeshore/app/ui"
)

// HeadsetOpener opens a headset with call buttons (headset.Open).
type HeadsetOpener func(prefer string) (headset.Device, headset.Layout, headset.Info, error)

// headsetControl follows the USB headset's call buttons during the shift:
// presses reach the GUI as HeadsetButton events, and the headset's LEDs
// (ring, off-hook, mute, hold) follow the calls the GUI sees.
type headsetControl struct {
	c *Core

	mu      sync.Mutex
	sess    *headset.Session
	ringing map[string]bool
	up      map[string]bool
	held    map[string]bool
	muted   bool
	watch   sync.WaitGroup
}

func newHeadsetControl(c *Core) *headsetControl {
	h := &headsetControl{c: c, ringing: map[string]bool{}, up: map[string]bool{}, held: map[string]bool{}}
	c.events.tap(h.observe)
	return h
}

var headsetKeys = map[headset.Button]ui.HeadsetKey{
	headset.Answer: ui.HeadsetAnswer, headset.Hangup: ui.HeadsetHangup, headset.Mute: ui.HeadsetMute,
	headset.Flash: ui.HeadsetFlash, headset.Reject: ui.HeadsetReject, headset.Redial: ui.HeadsetRedial,
}

// start opens the headset (the one the check passed, by USB id, when it
// has call buttons). No headset with buttons is no error: the keyboard
// and the screen do the same.
func (h *headsetControl) start(prefer string) {
	open := h.c.opts.OpenHeadset
	if open == nil {
		open = headset.Open
	}
	dev, layout, info, err := open(prefer)
	if err != nil {
		if !errors.Is(err, headset.ErrNoHeadset) && !errors.Is(err, headset.ErrUnsupported) {
			h.c.log.Warn("headset buttons not available", "err", err)
		} else {
			h.c.log.Info("no headset call buttons", "err", err)
		}
		return
	}
	s := headset.Start(dev, layout, info, func(b headset.Button) {
		if k, ok := headsetKeys[b]; ok {
			h.c.events.emit(ui.HeadsetButton{Button: k})
		}
	}, h.c.log)
	h.mu.Lock()
	old := h.sess
	h.sess = s
	h.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	h.c.log.Info("headset call buttons on", "headset", info.Name, "usb", info.USBID())
	h.push()
	// An unplugged headset ends its session; the device guard handles the
	// audio side.
	h.watch.Add(1)
	go func() {
		defer h.watch.Done()
		<-s.Done()
		h.mu.Lock()
		if h.sess == s {
			h.sess = nil
		}
		h.mu.Unlock()
	}()
}

// stop closes the headset session.
func (h *headsetControl) stop() error {
	h.mu.Lock()
	s := h.sess
	h.sess = nil
	h.mu.Unlock()
	var err error
	if s != nil {
		err = s.Close()
	}
	h.watch.Wait()
	return err
}

// observe follows the calls the GUI is told about.
func (h *headsetControl) observe(ev ui.Event) {
	h.mu.Lock()
	switch ev := ev.(type) {
	case ui.IncomingCall:
		h.ringing[ev.Call.ID] = true
	case ui.CallEstablished:
		delete(h.ringing, ev.Call.ID)
		h.up[ev.Call.ID] = true
	case ui.CallClosed:
		delete(h.ringing, ev.CallID)
		delete(h.up, ev.CallID)
		delete(h.held, ev.CallID)
		if len(h.up) == 0 {
			h.muted = false
		}
	default:
		h.mu.Unlock()
		return
	}
	h.mu.Unlock()
	h.push()
}

// push lights the LEDs for the calls now.
func (h *headsetControl) push() {
	h.mu.Lock()
	s := h.sess
	st := headset.CallState{Ringing: len(h.ringing) > 0, OffHook: len(h.up) > 0, Muted: h.muted}
	for id := range h.up {
		st.Held = st.Held || h.held[id]
	}
	h.mu.Unlock()
	if s == nil {
		return
	}
	if err := s.SetState(st); err != nil {
		h.c.log.Debug("headset LEDs", "err", err)
	}
}

func (h *headsetControl) setMuted(on bool) {
	h.mu.Lock()
	h.muted = on
	h.mu.Unlock()
	h.push()
}

func (h *headsetControl) setHeld(id string, on bool) {
	h.mu.Lock()
	h.held[id] = on
	h.mu.Unlock()
	h.push()
}

// headsetPhone is the phone with the headset's mute and hold LEDs kept in step.
type headsetPhone struct {
	ui.Phone
	h *headsetControl
}

func (p headsetPhone) Mute(id string, on bool) error {
	if err := p.Phone.Mute(id, on); err != nil {
		return err
	}
	p.h.setMuted(on)
	return nil
}

func (p headsetPhone) Hold(ctx context.Context, id string, on bool) error {
	if err := p.Phone.Hold(ctx, id, on); err != nil {
		return err
	}
	p.h.setHeld(id, on)
	return nil
}
