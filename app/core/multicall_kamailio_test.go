package core

import (
	"path/filepath"
	"sort"
	"strings"
	"sync"
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

// startAgent clocks in and registers user (password agentpw) with mic as
// its microphone.
func startAgent(t *testing.T, k *testenv.Kamailio, mic media.Source, pol *config.Policy, prof config.Profile, user string) agentCore {
	t.Helper()
	heard := filepath.Join(t.TempDir(), "agent-heard.wav")
	prof.SIP = config.SIPAccount{Server: k.Addr(), User: user, Codecs: []string{"pcmu"}}
	c := newTestCore(t, prof, pol, func(o *Options) {
		o.WatchDevices = noWatch
		o.OpenAudio = func(string, string) (sip.Audio, func() error, error) {
			sink, err := media.CreateWAVSink(heard)
			if err != nil {
				return sip.Audio{}, nil, err
			}
			return sip.Audio{Source: mic, Sink: sink}, sink.Close, nil
		}
	})
	be := c.Backend()
	acc, _, err := be.Config.Load()
	if err != nil {
		t.Fatal(err)
	}
	acc.Password = "agentpw"
	// On shift and Available: calls ring only then.
	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	if err := be.Phone.Register(ctxFor(t, 5*time.Second), acc); err != nil {
		t.Fatalf("register: %v", err)
	}
	return agentCore{c: c, events: be.Events.Events(), heard: heard}
}

// cue is the agent's microphone in tests: silence until Say, then the
// sentence once, then silence again; so the agent speaks when the test
// knows nobody else does, however long call setup took.
type cue struct {
	mu   sync.Mutex
	pcm  []int16
	pos  int
	said bool
}

func newCue(t *testing.T, wav string) *cue {
	t.Helper()
	src, err := media.OpenWAVSource(wav)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	c := &cue{}
	frame := make([]int16, media.FrameSamples)
	for src.Read(frame) == nil {
		c.pcm = append(c.pcm, frame...)
	}
	return c
}

// Say starts the sentence.
func (c *cue) Say() {
	c.mu.Lock()
	c.said, c.pos = true, 0
	c.mu.Unlock()
}

func (c *cue) Read(frame []int16) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(frame)
	if c.said && c.pos < len(c.pcm) {
		c.pos += copy(frame, c.pcm[c.pos:])
	}
	return nil
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

// said checks that one of recordings carries each sentence, allowing for
// the under-runs of a sound device on a loaded machine.
func said(t *testing.T, who string, recordings []string, sentences ...string) {
	t.Helper()
	for _, s := range sentences {
		var best audiocmp.Result
		var err error
		for _, rec := range recordings {
			r, ferr := audiocmp.FindSegments(s, rec, 4)
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

// TestConferenceThreeWay: a customer (a Homeshore user agent) calls the
// agent (the real core) through Kamailio; the agent consults a colleague
// (baresip), then merges both calls into a conference mixed in the agent's
// app. Each party speaks in turn; every one hears the two others. Then the
// agent drops the colleague's leg and the customer stays.
func TestConferenceThreeWay(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw", "colleague": "collpw"})
	customer, colleague, agent := testenv.Espeak(t, customerTurn), testenv.Espeak(t, colleagueTurn), testenv.Espeak(t, agentTurn)
	mic, custMic := newCue(t, agent), newCue(t, customer)
	a := startAgent(t, k, mic, nil, config.Profile{}, "agent")
	// The colleague's call is never held, so its file keeps time: it
	// speaks 9 s into its call.
	collDir := t.TempDir()
	coll := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("colleague"), Password: "collpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Pad(t, colleague, 9*time.Second, 0), AutoAnswer: true, PlayDuration: 40 * time.Second, RecordDir: collDir})
	collHeard := coll.RecordPlayback(t)
	custUA, err := sip.New(sip.Config{Registrar: k.Addr(), User: "cust", Password: "custpw", ListenAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = custUA.Close() })
	if err := custUA.Register(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	custHeard := filepath.Join(t.TempDir(), "customer-heard.wav")
	custSink, err := media.CreateWAVSink(custHeard)
	if err != nil {
		t.Fatal(err)
	}
	custCall, err := custUA.Dial(ctxFor(t, 5*time.Second), "agent", sip.Audio{Source: custMic, Sink: custSink})
	if err != nil {
		t.Fatal(err)
	}
	in := a.incoming(t)
	be := a.c.Backend()
	if err := be.Phone.Answer(ctxFor(t, 10*time.Second), in.ID); err != nil {
		t.Fatal(err)
	}
	consult, err := a.c.phone.Consult(ctxFor(t, 10*time.Second), in.ID, "colleague")
	if err != nil {
		t.Fatalf("consult: %v", err)
	}
	a.established(t, consult.ID)
	coll.Expect(t, testenv.EventCallEstablished)
	collUp := time.Now()
	if err := a.c.phone.Conference(ctxFor(t, 10*time.Second), in.ID, consult.ID); err != nil {
		t.Fatalf("conference: %v", err)
	}
	want := "agent<-[cust,colleague] cust<-[agent,colleague] colleague<-[agent,cust]"
	if got := a.c.phone.desk.describe(); !sameRoutes(got, want) {
		t.Fatalf("routes %q, want %q", got, want)
	}
	// Turns: the customer, the colleague (9 s into its call), the agent.
	// baresip's first second or two of playback may not reach its speaker.
	time.Sleep(time.Until(collUp.Add(3 * time.Second)))
	custMic.Say()
	time.Sleep(time.Until(collUp.Add(12 * time.Second)))
	mic.Say()
	time.Sleep(3 * time.Second)
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
	<-custCall.Done()
	a.next(t, 5*time.Second, func(e ui.Event) bool { ev, ok := e.(ui.CallClosed); return ok && ev.CallID == in.ID })
	if got := a.c.phone.desk.describe(); got != "no audio" {
		t.Fatalf("audio still open after the calls: %s", got)
	}
	if err := custSink.Close(); err != nil {
		t.Fatal(err)
	}
	said(t, "the agent", []string{a.heard}, customer, colleague)
	said(t, "the customer", []string{custHeard}, agent, colleague)
	// Its call is never re-INVITEd, so baresip's own recording holds too.
	said(t, "the colleague", append(recordings(collDir), collHeard.Stop()), agent, customer)
}

// recordings are baresip's recordings of the calls it received (sndfile).
func recordings(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "dump-*-dec.wav"))
	return files
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

// TestCallWaitingThenAttendedTransfer: while the agent (the real core)
// talks with a customer (baresip), a second caller (a Homeshore user agent)
// rings as a second IncomingCall; answering it puts the customer on hold;
// after hanging it up the agent resumes the customer; a third call is
// declined (486). Then the agent consults a colleague (baresip) and
// completes the transfer: the customer's phone (baresip 1.0, no Replaces)
// calls the colleague, the agent's calls close, and customer and colleague
// hear each other.
func TestCallWaitingThenAttendedTransfer(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw", "other": "otherpw", "colleague": "collpw"})
	customer, colleague, agent := testenv.Espeak(t, customerTurn), testenv.Espeak(t, colleagueTurn), testenv.Espeak(t, agentTurn)
	mic := newCue(t, agent)
	a := startAgent(t, k, mic, nil, config.Profile{}, "agent")
	// baresip restarts its file on every call: both say their turn every
	// few seconds, so each is heard whenever the transfer lands.
	custDir, collDir := t.TempDir(), t.TempDir()
	cust := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("cust"), Password: "custpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Pad(t, customer, 0, 3*time.Second), PlayLoop: true, PlayDuration: 40 * time.Second, RecordDir: custDir})
	coll := testenv.StartBaresip(t, testenv.BaresipOptions{AOR: k.AOR("colleague"), Password: "collpw", Codecs: []string{"pcmu"},
		PlayWAV: testenv.Pad(t, colleague, 0, 3*time.Second), PlayLoop: true, AutoAnswer: true, PlayDuration: 40 * time.Second, RecordDir: collDir})
	other, err := sip.New(sip.Config{Registrar: k.Addr(), User: "other", Password: "otherpw", ListenAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = other.Close() })
	custHeard, collHeard := cust.RecordPlayback(t), coll.RecordPlayback(t)
	be := a.c.Backend()

	if err := cust.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	first := a.incoming(t)
	if err := be.Phone.Answer(ctxFor(t, 10*time.Second), first.ID); err != nil {
		t.Fatal(err)
	}
	cust.Expect(t, testenv.EventCallEstablished)
	// baresip's first second or two of playback may not reach its speaker.
	time.Sleep(2 * time.Second)
	mic.Say()
	time.Sleep(3 * time.Second) // the agent's turn, heard by the customer

	silent := sip.Audio{Source: media.Silence()}
	second, err := other.Dial(ctxFor(t, 5*time.Second), "agent", silent)
	if err != nil {
		t.Fatal(err)
	}
	waiting := a.incoming(t)
	if err := be.Phone.Answer(ctxFor(t, 10*time.Second), waiting.ID); err != nil {
		t.Fatalf("answering the waiting call: %v", err)
	}
	if err := second.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got := a.c.phone.desk.describe(); !sameRoutes(got, "agent<-[other] other<-[agent] cust<-[]") {
		t.Fatalf("answering the waiting call should hold the customer: routes %q", got)
	}
	if err := be.Phone.Hangup(ctxFor(t, 5*time.Second), waiting.ID); err != nil {
		t.Fatal(err)
	}
	if err := be.Phone.Hold(ctxFor(t, 5*time.Second), first.ID, false); err != nil {
		t.Fatalf("resuming the customer: %v", err)
	}
	third, err := other.Dial(ctxFor(t, 5*time.Second), "agent", silent)
	if err != nil {
		t.Fatal(err)
	}
	declined := a.incoming(t)
	if err := be.Phone.Reject(ctxFor(t, 5*time.Second), declined.ID); err != nil {
		t.Fatal(err)
	}
	if err := third.WaitAnswered(ctxFor(t, 5*time.Second)); !sip.IsStatus(err, 486) {
		t.Fatalf("declined waiting call: %v, want 486 Busy Here", err)
	}

	consult, err := a.c.phone.Consult(ctxFor(t, 10*time.Second), first.ID, "colleague")
	if err != nil {
		t.Fatalf("consult: %v", err)
	}
	a.established(t, consult.ID)
	// A word with the colleague first; baresip names its recordings by
	// the second, so the customer's call to it gets a file of its own.
	time.Sleep(1100 * time.Millisecond)
	if err := a.c.phone.CompleteTransfer(ctxFor(t, 20*time.Second), first.ID, consult.ID); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	a.next(t, 5*time.Second, func(e ui.Event) bool { ev, ok := e.(ui.TransferUpdated); return ok && ev.State == ui.TransferDone })
	for _, id := range []string{first.ID, consult.ID} {
		a.next(t, 10*time.Second, func(e ui.Event) bool { ev, ok := e.(ui.CallClosed); return ok && ev.CallID == id })
	}
	if got := a.c.phone.desk.describe(); got != "no audio" {
		t.Fatalf("the agent's audio is still open after the transfer: %s", got)
	}
	time.Sleep(8 * time.Second) // both turns after the transfer
	if err := cust.Command("/hangup"); err != nil {
		t.Fatal(err)
	}
	// Both what baresip recorded of each call and what reached its speaker.
	said(t, "the customer", append(recordings(custDir), custHeard.Stop()), agent, colleague)
	said(t, "the colleague", append(recordings(collDir), collHeard.Stop()), customer)
}

// TestAgentIsTheTransferTarget: a colleague (a Homeshore user agent) calls
// the agent (the real core), then completes an attended transfer of its
// customer (a Homeshore user agent, which supports Replaces) to the agent:
// the customer's INVITE with Replaces takes over the agent's call without
// ringing; the GUI keeps the call's ID and learns the new party, and the
// customer and the agent hear each other through the same audio.
func TestAgentIsTheTransferTarget(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw", "colleague": "collpw"})
	customer, agent := testenv.Espeak(t, customerTurn), testenv.Espeak(t, agentTurn)
	mic, custMic := newCue(t, agent), newCue(t, customer)
	a := startAgent(t, k, mic, nil, config.Profile{}, "agent")
	ua := func(user, pw string) *sip.UA {
		u, err := sip.New(sip.Config{Registrar: k.Addr(), User: user, Password: pw, ListenAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = u.Close() })
		if err := u.Register(ctxFor(t, 5*time.Second)); err != nil {
			t.Fatal(err)
		}
		return u
	}
	coll, custUA := ua("colleague", "collpw"), ua("cust", "custpw")
	custHeard := filepath.Join(t.TempDir(), "customer-heard.wav")
	custSink, err := media.CreateWAVSink(custHeard)
	if err != nil {
		t.Fatal(err)
	}
	// The customer calls the colleague.
	custCall, err := custUA.Dial(ctxFor(t, 5*time.Second), "colleague", sip.Audio{Source: custMic, Sink: custSink})
	if err != nil {
		t.Fatal(err)
	}
	var withCust *sip.Call
	for withCust == nil {
		if in, ok := (<-coll.Events()).(sip.IncomingCall); ok {
			withCust = in.Call
		}
	}
	if err := withCust.Answer(ctxFor(t, 5*time.Second), sip.Audio{Source: media.Silence()}); err != nil {
		t.Fatal(err)
	}
	if err := withCust.Hold(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	// The colleague consults the agent.
	consult, err := coll.Dial(ctxFor(t, 5*time.Second), "agent", sip.Audio{Source: media.Silence()})
	if err != nil {
		t.Fatal(err)
	}
	in := a.incoming(t)
	if err := a.c.Backend().Phone.Answer(ctxFor(t, 10*time.Second), in.ID); err != nil {
		t.Fatal(err)
	}
	if err := consult.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := withCust.TransferReplacing(ctxFor(t, 20*time.Second), consult); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	ev := a.next(t, 10*time.Second, func(e ui.Event) bool {
		ev, ok := e.(ui.CallEstablished)
		return ok && ev.Call.ID == in.ID && ev.Call.Remote == "cust"
	})
	t.Logf("the agent's call %s is now with %s", ev.(ui.CallEstablished).Call.ID, ev.(ui.CallEstablished).Call.Remote)
	next := waitCall(t, custCall)
	time.Sleep(time.Second)
	custMic.Say()
	time.Sleep(3 * time.Second)
	mic.Say()
	time.Sleep(3 * time.Second)
	if err := a.c.Backend().Phone.Hangup(ctxFor(t, 5*time.Second), in.ID); err != nil {
		t.Fatal(err)
	}
	<-next.Done()
	a.next(t, 5*time.Second, func(e ui.Event) bool { ev, ok := e.(ui.CallClosed); return ok && ev.CallID == in.ID })
	if err := custSink.Close(); err != nil {
		t.Fatal(err)
	}
	if got := a.c.phone.desk.describe(); got != "no audio" {
		t.Fatalf("audio still open after the call: %s", got)
	}
	said(t, "the agent", []string{a.heard}, customer)
	said(t, "the customer", []string{custHeard}, agent)
}

// waitCall returns the call that replaced c after a transfer.
func waitCall(t *testing.T, c *sip.Call) *sip.Call {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-c.Events():
			if tr, ok := ev.(sip.Transferred); ok {
				return tr.To
			}
		case <-deadline:
			t.Fatal("the customer's call was not transferred")
		}
	}
}
