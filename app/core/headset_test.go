package core

import (
	"bytes"
	"context"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/headset"
	"github.com/homeshore/homeshore/app/ui"
)

// fakeHID is a headset: the test sends its input reports, and sees the
// LED reports the core writes.
type fakeHID struct {
	in     chan []byte
	mu     sync.Mutex
	writes [][]byte
	wrote  chan struct{}
	once   sync.Once
}

func (f *fakeHID) Read(p []byte) (int, error) {
	r, ok := <-f.in
	if !ok {
		return 0, os.ErrClosed
	}
	return copy(p, r), nil
}

func (f *fakeHID) Write(p []byte) (int, error) {
	f.mu.Lock()
	f.writes = append(f.writes, append([]byte(nil), p...))
	f.mu.Unlock()
	select {
	case f.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (f *fakeHID) Close() error { f.once.Do(func() { close(f.in) }); return nil }

func (f *fakeHID) wroteReport(r []byte) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.ContainsFunc(f.writes, func(w []byte) bool { return bytes.Equal(w, r) })
}

// TestHeadsetButtonsReachTheGUI: from clock-in the headset's call button
// reaches the GUI as an event, and its ring and off-hook LEDs follow the
// calls (a Jabra BIZ 2400 II's recorded layout).
func TestHeadsetButtonsReachTheGUI(t *testing.T) {
	desc, err := os.ReadFile("../headset/testdata/jabra-biz-2400-ii-0b0e-2453.bin")
	if err != nil {
		t.Fatal(err)
	}
	d, err := headset.ParseDescriptor(desc)
	if err != nil {
		t.Fatal(err)
	}
	layout, err := headset.FindTelephony(d)
	if err != nil {
		t.Fatal(err)
	}
	dev := &fakeHID{in: make(chan []byte, 4), wrote: make(chan struct{}, 16)}
	c := newTestCore(t, config.Profile{}, nil, func(o *Options) {
		o.RunChecks = passingReport
		o.NoDeviceGuard = true
		o.OpenHeadset = func(string) (headset.Device, headset.Layout, headset.Info, error) {
			return dev, layout, headset.Info{Name: "Jabra BIZ 2400 II", VendorID: 0x0b0e, ProductID: 0x2453}, nil
		}
	})
	be := c.Backend()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := be.Shift.ClockIn(ctx, ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	events := be.Events.Events()
	c.events.emit(ui.IncomingCall{Call: ui.CallInfo{ID: "in-1", Direction: ui.Inbound, Remote: "+33612345678"}})
	if !dev.wroteReport([]byte{0x02, 0x24, 0x00}) {
		t.Fatalf("ring LEDs not lit: writes % x", dev.writes)
	}
	dev.in <- []byte{0x02, 0x01, 0x00}
	_, ev := waitFor(t, events, 5*time.Second, func(e ui.Event) bool { _, ok := e.(ui.HeadsetButton); return ok })
	if ev.(ui.HeadsetButton).Button != ui.HeadsetAnswer {
		t.Fatalf("button = %+v, want answer", ev)
	}
	c.events.emit(ui.CallEstablished{Call: ui.CallInfo{ID: "in-1"}})
	if !dev.wroteReport([]byte{0x02, 0x01, 0x00}) {
		t.Fatalf("off-hook LED not lit: writes % x", dev.writes)
	}
	c.events.emit(ui.CallClosed{CallID: "in-1", By: "remote"})
	if _, err := be.Shift.ClockOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-dev.in; ok {
		t.Fatal("clock-out must close the headset")
	}
	if !dev.wroteReport([]byte{0x02, 0x00, 0x00}) {
		t.Fatal("the LEDs must go off at clock-out")
	}
}
