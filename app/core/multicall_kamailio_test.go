package core

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// Turns of speech: each party speaks once, at its own time, so each
// recording can be searched for each sentence (audiocmp.Find).
const (
	customerTurn  = "Hello, I am calling about my order."
	colleagueTurn = "Billing team, how can I help you?"
	agentTurn     = "Let me bring my colleague in."
)

// agentCore is the agent's app: the real core registered at Kamailio, with
// a WAV file as its microphone and its headset recorded to heard.
type agentCore struct {
	c      *Core
	events <-chan ui.Event
	heard  string
}

func startAgent(t *testing.T, k *testenv.Kamailio, micWAV string, pol *config.Policy, prof config.Profile) agentCore {
	t.Helper()
	heard := filepath.Join(t.TempDir(), "agent-heard.wav")
	prof.SIP = config.SIPAccount{Server: k.Addr(), User: "agent", Codecs: []string{"pcmu"}}
	c := newTestCore(t, prof, pol, func(o *Options) {
		o.WatchDevices = noWatch
		o.OpenAudio = func(string, string) (sip.Audio, func() error, error) {
			src, err := media.OpenWAVSource(micWAV)
			if err != nil {
				return sip.Audio{}, nil, err
			}
			sink, err := media.CreateWAVSink(heard)
			if err != nil {
				return sip.Audio{}, nil, errors.Join(err, src.Close())
			}
			return sip.Audio{Source: src, Sink: sink}, func() error { return errors.Join(src.Close(), sink.Close()) }, nil
		}
	})
	be := c.Backend()
	acc, _, err := be.Config.Load()
	if err != nil {
		t.Fatal(err)
	}
	acc.Password = "agentpw"
	if err := be.Phone.Register(ctxFor(t, 5*time.Second), acc); err != nil {
		t.Fatalf("register: %v", err)
	}
	return agentCore{c: c, events: be.Events.Events(), heard: heard}
}

func (a agentCore) next(t *testing.T, within time.Duration, match func(ui.Event) bool) ui.Event {
	t.Helper()
	_, ev := waitFor(t, a.events, within, match)
	return ev
}

func (a agentCore) incoming(t *testing.T) ui.CallInfo {
	t.Helper()
	return a.next(t, 15*time.Second, func(e ui.Event) bool { _, ok := e.(ui.IncomingCall); return ok }).(ui.IncomingCall).Call
}

func (a agentCore) established(t *testing.T, id string) {
	t.Helper()
	a.next(t, 15*time.Second, func(e ui.Event) bool { ev, ok := e.(ui.CallEstablished); return ok && ev.Call.ID == id })
}

// said checks that one of recordings carries each sentence.
func said(t *testing.T, who string, recordings []string, sentences ...string) {
	t.Helper()
	for _, s := range sentences {
		var best audiocmp.Result
		var err error
		for _, rec := range recordings {
			r, ferr := audiocmp.Find(s, rec)
			if ferr == nil && r.Score >= best.Score {
				best, err = r, nil
			} else if ferr != nil && best.Score == 0 {
				err = ferr
			}
		}
		if !best.OK() {
			t.Errorf("%s did not hear %s: %v, %v", who, filepath.Base(s), best, err)
			continue
		}
		t.Logf("%s heard %s: %s", who, filepath.Base(s), best)
	}
}

// TestConferenceThreeWay: a customer (baresip) calls the agent (the real
// core) through Kamailio; the agent consults a colleague (baresip), then
// merges both calls into a conference mixed in the agent's app. Each party
// speaks in turn; every one hears the two others. Then the agent drops the
// colleague's leg and the customer stays.
func TestConferenceThreeWay(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw", "colleague": "collpw"})
	customer, colleague, agent := testenv.Espeak(t, customerTurn), testenv.Espeak(t, colleagueTurn), testenv.Espeak(t, agentTurn)
	a := startAgent(t, k, testenv.Pad(t, agent, 16*time.Second, 6*time.Second), nil, config.Profile{})
	cust := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("cust"), Password: "custpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Pad(t, customer, 6*time.Second, 0), PlayDuration: 40 * time.Second})
	coll := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("colleague"), Password: "collpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Pad(t, colleague, 9*time.Second, 0), AutoAnswer: true, PlayDuration: 40 * time.Second})
	custHeard, collHeard := cust.RecordPlayback(t), coll.RecordPlayback(t)
	if err := cust.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	in := a.incoming(t)
	be := a.c.Backend()
	if err := be.Phone.Answer(ctxFor(t, 10*time.Second), in.ID); err != nil {
		t.Fatal(err)
	}
	cust.Expect(t, testenv.EventCallEstablished)
	// baresip names its recordings by the second: a re-INVITE (the hold)
	// in the same second as the answer would overwrite the first file.
	time.Sleep(1100 * time.Millisecond)
	consult, err := a.c.phone.Consult(ctxFor(t, 10*time.Second), in.ID, "colleague")
	if err != nil {
		t.Fatalf("consult: %v", err)
	}
	a.established(t, consult.ID)
	coll.Expect(t, testenv.EventCallEstablished)
	if err := a.c.phone.Conference(ctxFor(t, 10*time.Second), in.ID, consult.ID); err != nil {
		t.Fatalf("conference: %v", err)
	}
	want := "agent<-[cust,colleague] cust<-[agent,colleague] colleague<-[agent,cust]"
	if got := a.c.phone.desk.describe(); !sameRoutes(got, want) {
		t.Fatalf("routes %q, want %q", got, want)
	}
	time.Sleep(17 * time.Second) // every turn said
	if err := be.Phone.Hangup(ctxFor(t, 5*time.Second), consult.ID); err != nil {
		t.Fatal(err)
	}
	coll.Expect(t, testenv.EventCallClosed)
	if got := a.c.phone.desk.describe(); !sameRoutes(got, "agent<-[cust] cust<-[agent]") {
		t.Fatalf("after dropping the colleague: routes %q", got)
	}
	if err := be.Phone.Hangup(ctxFor(t, 5*time.Second), in.ID); err != nil {
		t.Fatal(err)
	}
	cust.Expect(t, testenv.EventCallClosed)
	a.next(t, 5*time.Second, func(e ui.Event) bool { ev, ok := e.(ui.CallClosed); return ok && ev.CallID == in.ID })
	if got := a.c.phone.desk.describe(); got != "no audio" {
		t.Fatalf("audio still open after the calls: %s", got)
	}
	said(t, "the agent", []string{a.heard}, customer, colleague)
	said(t, "the customer", []string{custHeard.Stop()}, agent, colleague)
	said(t, "the colleague", []string{collHeard.Stop()}, agent, customer)
}

// sameRoutes compares Describe outputs whatever the order of listeners
// and of the parties each hears.
func sameRoutes(got, want string) bool { return normRoutes(got) == normRoutes(want) }

func normRoutes(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		name, heard, _ := strings.Cut(f, "<-[")
		parts := strings.Split(strings.TrimSuffix(heard, "]"), ",")
		sort.Strings(parts)
		fields[i] = name + "<-[" + strings.Join(parts, ",") + "]"
	}
	sort.Strings(fields)
	return strings.Join(fields, " ")
}
