package core

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
)

// TestPhoneTakesBaresipCallThroughKamailio: the core registers to a real
// Kamailio with the keyring password, baresip calls the agent, the agent
// answers on the PortAudio default devices (PulseAudio null devices under
// scripts/with-test-env.sh), baresip hangs up. The GUI's events arrive in
// order, with the shift following the call.
func TestPhoneTakesBaresipCallThroughKamailio(t *testing.T) {
	testenv.RequirePulse(t)
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw"})
	prof := config.Profile{SIP: config.SIPAccount{Server: k.Addr(), User: "agent", Codecs: []string{"pcmu"}}}
	c := newTestCore(t, prof, nil, func(o *Options) { o.WatchDevices = noWatch })
	be := c.Backend()
	if err := be.Secrets.Set(ui.SecretSIPPassword, "agentpw"); err != nil {
		t.Fatal(err)
	}
	events := be.Events.Events()

	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	acc, _, err := be.Config.Load()
	if err != nil {
		t.Fatal(err)
	}
	if acc.Password, err = be.Secrets.Get(ui.SecretSIPPassword); err != nil {
		t.Fatalf("password from the keyring: %v", err)
	}
	if err := be.Phone.Register(ctxFor(t, 5*time.Second), acc); err != nil {
		t.Fatalf("register: %v", err)
	}

	b := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("cust"), Password: "custpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Espeak(t, "Hello, I am calling about my order."), PlayLoop: true})
	if err := b.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	var seen []string
	record := func(evs ...ui.Event) {
		for _, ev := range evs {
			name := eventName(ev)
			if len(seen) > 0 && seen[len(seen)-1] == name && name == "Quality" {
				continue
			}
			seen = append(seen, name)
		}
	}
	skipped, ev := waitFor(t, events, 15*time.Second, func(e ui.Event) bool { _, ok := e.(ui.IncomingCall); return ok })
	record(append(skipped, ev)...)
	in := ev.(ui.IncomingCall).Call
	if in.Remote != "cust" || in.Direction != ui.Inbound {
		t.Fatalf("incoming call %+v, want from cust", in)
	}
	if err := be.Phone.Answer(ctxFor(t, 10*time.Second), in.ID); err != nil {
		t.Fatalf("answer: %v", err)
	}
	b.Expect(t, testenv.EventCallEstablished)
	skipped, ev = waitFor(t, events, 5*time.Second, func(e ui.Event) bool { _, ok := e.(ui.QualityUpdated); return ok })
	record(append(skipped, ev)...)
	if err := be.Phone.Hold(ctxFor(t, 5*time.Second), in.ID, true); err != nil {
		t.Fatalf("hold: %v", err)
	}
	if err := be.Phone.Hold(ctxFor(t, 5*time.Second), in.ID, false); err != nil {
		t.Fatalf("resume: %v", err)
	}
	skipped, ev = waitFor(t, events, 5*time.Second, func(e ui.Event) bool { _, ok := e.(ui.QualityUpdated); return ok })
	record(append(skipped, ev)...)
	if err := b.Command("/hangup"); err != nil {
		t.Fatal(err)
	}
	skipped, ev = waitFor(t, events, 10*time.Second, func(e ui.Event) bool {
		s, ok := e.(ui.ShiftStateChanged)
		return ok && s.Status.State == ui.StateWrapUp
	})
	record(append(skipped, ev)...)

	want := "Shift(available) Registration(registered) Incoming Established Shift(on_call) Quality Closed(remote) Shift(wrap_up)"
	if got := strings.Join(seen, " "); got != want {
		t.Fatalf("events\n got %s\nwant %s", got, want)
	}
	end, ok := c.phone.endOf(in.ID)
	if !ok {
		t.Fatal("the ended call is not known for the call log")
	}
	// The call lasts about two seconds, part of it on hold: half a second
	// of audio is enough to show media flowed, whatever the machine's load.
	if !strings.EqualFold(end.stats.Codec, "pcmu") || end.stats.PacketsReceived < 25 || end.stats.MOS < 3.5 {
		t.Fatalf("final figures %+v: want PCMU, packets received, a good MOS", end.stats)
	}
}

func eventName(ev ui.Event) string {
	switch ev := ev.(type) {
	case ui.ShiftStateChanged:
		return fmt.Sprintf("Shift(%s)", stateName(ev.Status.State))
	case ui.RegistrationChanged:
		names := map[ui.RegState]string{ui.RegNone: "none", ui.RegRegistering: "registering", ui.RegRegistered: "registered", ui.RegFailed: "failed"}
		return "Registration(" + names[ev.Status.State] + ")"
	case ui.IncomingCall:
		return "Incoming"
	case ui.CallEstablished:
		return "Established"
	case ui.QualityUpdated:
		return "Quality"
	case ui.CallClosed:
		return "Closed(" + ev.By + ")"
	case ui.DTMFReceived:
		return "DTMF"
	case ui.DeviceLost:
		return "DeviceLost"
	}
	return fmt.Sprintf("%T", ev)
}

func stateName(s ui.AgentState) string {
	return [...]string{"offline", "checking", "available", "on_call", "wrap_up", "not_ready", "break"}[s]
}
