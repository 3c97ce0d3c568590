package core

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media/audiodev"
	"github.com/homeshore/homeshore/media/devinfo"
)

// setDefaults makes sink and source PulseAudio's defaults and puts the
// previous ones back when the test ends.
func setDefaults(t *testing.T, sink, source string) {
	t.Helper()
	pactl := func(args ...string) string {
		out, err := exec.Command("pactl", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("pactl %s: %v %s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	oldSink, oldSource := pactl("get-default-sink"), pactl("get-default-source")
	t.Cleanup(func() {
		_ = exec.Command("pactl", "set-default-sink", oldSink).Run()
		_ = exec.Command("pactl", "set-default-source", oldSource).Run()
	})
	pactl("set-default-sink", sink)
	pactl("set-default-source", source)
}

// levelOf records what an output plays (its monitor) for d and returns the
// level in dBFS.
func levelOf(t *testing.T, output string, d time.Duration) float64 {
	t.Helper()
	mon, err := audiodev.OpenMonitor(output)
	if err != nil {
		t.Fatalf("monitor of %s: %v", output, err)
	}
	defer mon.Close()
	frame := make([]int16, precheck.FrameSamples)
	var sum float64
	n := 0
	for range int(d / (20 * time.Millisecond)) {
		if err := mon.Read(frame); err != nil {
			t.Fatalf("monitor of %s: %v", output, err)
		}
		for _, s := range frame {
			sum += float64(s) * float64(s)
		}
		n += len(frame)
	}
	if sum == 0 {
		return math.Inf(-1)
	}
	return 10 * math.Log10(sum/float64(n)/(32768*32768))
}

// TestCallsUseTheCheckedHeadset: with the headset pinned the check tested
// it while calls opened the system default, so a default switched to a
// Bluetooth headset passed the check and carried the calls (and the guard
// stopped the agent for a device the calls should not have used). Now, on
// real PulseAudio: the check passes the USB headset (the default at the
// time, pinned), the default then switches to a Bluetooth headset, the
// agent stays Available, and a call's audio plays in the checked USB
// headset, not in the Bluetooth one. Unplugging the checked headset still
// stops the agent at once.
func TestCallsUseTheCheckedHeadset(t *testing.T) {
	testenv.PrivatePulse(t) // it moves the defaults: not on the server other packages share
	h := testenv.PulseHeadset(t, "shiftusb", usbHeadsetProps)
	roomNoise(t, h.MicFeed)
	btProps := map[string]string{"device.bus": "bluetooth", "device.form_factor": "headset", "device.api": "bluez"}
	bt := testenv.PulseDevice(t, "shiftbt", btProps, btProps)
	setDefaults(t, h.Speaker, h.Mic)

	b := testenv.StartBaresip(t, testenv.BaresipOptions{Codecs: []string{"pcmu"}, AutoAnswer: true,
		PlayWAV: testenv.Tone(t, 440, 3*time.Second), PlayLoop: true})

	// listed hears every device list the guard reads, after it was read.
	listed := make(chan []devinfo.Device, 64)
	var listMu sync.Mutex
	list := func(ctx context.Context) ([]devinfo.Device, error) {
		devs, err := devinfo.List(ctx)
		listMu.Lock()
		defer listMu.Unlock()
		select {
		case listed <- devs:
		default:
		}
		return devs, err
	}
	pins := precheck.FilePins{Path: filepath.Join(t.TempDir(), "pin.json")}
	prof := config.Profile{SIP: config.SIPAccount{Server: b.ListenAddr(), User: "agent", Codecs: []string{"pcmu"}}}
	c := newTestCore(t, prof, checkPolicy(), func(o *Options) {
		o.Pins, o.CheckRoomSeconds, o.ListDevices, o.Direct, o.SIPListen = pins, 1, list, true, "127.0.0.1:0"
	})
	be := c.Backend()
	events := be.Events.Events()

	rep, err := be.Checker.Run(ctxFor(t, 90*time.Second), nil)
	if err != nil || !rep.CanStart {
		t.Fatalf("check on the USB headset: %+v %v", rep.Results, err)
	}
	if last, _ := c.checks.last(); last.Output != h.Speaker || last.Input != h.Mic {
		t.Fatalf("checked %s / %s, want the USB headset", last.Output, last.Input)
	}
	if pin, ok, _ := pins.Load(); !ok || pin.Output != h.Speaker {
		t.Fatalf("pin %+v %v, want the USB headset pinned", pin, ok)
	}
	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), rep, ""); err != nil {
		t.Fatal(err)
	}
	// The guard's first look at the devices.
	for range listed {
		break
	}

	setDefaults(t, bt.Sink, bt.Source)
	sawBT := func(devs []devinfo.Device) bool {
		for _, d := range devs {
			if d.Default && d.ID == bt.Sink {
				return true
			}
		}
		return false
	}
	waitList := func(what string, match func([]devinfo.Device) bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			select {
			case devs := <-listed:
				if match(devs) {
					return
				}
			case <-deadline:
				t.Fatalf("the guard never saw %s", what)
			}
		}
	}
	waitList("the Bluetooth default", sawBT)
	// The agent is told where the computer's sound went, and that calls stay.
	_, ev := waitFor(t, events, 20*time.Second, func(e ui.Event) bool { _, ok := e.(ui.SoundDefaultChanged); return ok })
	if moved := ev.(ui.SoundDefaultChanged); !moved.Away || moved.Output != "shiftbt" || moved.Headset != "shiftusb" {
		t.Fatalf("notice %+v, want the Bluetooth default named beside the checked headset", moved)
	}
	// One more change: once the guard reads it, it has judged the switch.
	if out, err := exec.Command("pactl", "set-sink-volume", h.MicFeed, "99%").CombinedOutput(); err != nil {
		t.Fatalf("pactl: %v %s", err, out)
	}
	waitList("the next change", func([]devinfo.Device) bool { return true })
	if st, r := c.machine.State(); st != shift.Available {
		t.Fatalf("after the default switched to Bluetooth: %s (%s), want Available: calls still use the checked headset", st, r.Message)
	}

	acc, _, _ := be.Config.Load()
	if err := be.Phone.Register(ctxFor(t, 10*time.Second), acc); err != nil {
		t.Fatal(err)
	}
	call, err := be.Phone.Dial(ctxFor(t, 10*time.Second), b.URI())
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, 15*time.Second, func(e ui.Event) bool { est, ok := e.(ui.CallEstablished); return ok && est.Call.ID == call.ID })
	var usb, blue float64
	var wg sync.WaitGroup
	wg.Go(func() { usb = levelOf(t, h.Speaker, 2*time.Second) })
	wg.Go(func() { blue = levelOf(t, bt.Sink, 2*time.Second) })
	wg.Wait()
	if usb < -30 || blue > -60 {
		t.Fatalf("the caller's tone: USB headset %.1f dBFS, Bluetooth %.1f dBFS; want it in the checked USB headset only", usb, blue)
	}
	if err := be.Phone.Hangup(ctxFor(t, 10*time.Second), call.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, 15*time.Second, func(e ui.Event) bool { cl, ok := e.(ui.CallClosed); return ok && cl.CallID == call.ID })
	if err := be.Shift.EndWrapUp(ctxFor(t, 5*time.Second), "", nil); err != nil {
		t.Fatal(err)
	}

	// The devices calls use are the ones watched: unplugging them stops
	// the agent at once.
	h.Unplug(t)
	_, ev = waitFor(t, events, 20*time.Second, func(e ui.Event) bool { _, ok := e.(ui.DeviceLost); return ok })
	if lost := ev.(ui.DeviceLost); lost.Message.Key != "check.guard.headset_unplugged" && lost.Message.Key != "check.guard.mic_unplugged" {
		t.Fatalf("after the unplug: %+v", lost)
	}
}
