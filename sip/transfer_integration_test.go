package sip_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

const targetLine = "Good morning, this is the billing team. I can help you with the refund now."

// party is a registered Homeshore user agent with its audio files.
type party struct {
	ua       *sip.UA
	sent     string // the speech it plays
	audio    sip.Audio
	received string
}

func registeredParty(t *testing.T, k *testenv.Kamailio, user, pw, line string) party {
	t.Helper()
	ua := newUA(t, sip.Config{Registrar: k.Addr(), User: user, Password: pw, Codecs: codecList(t, "pcmu")})
	if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	p := party{ua: ua}
	var wav string
	if line != "" {
		p.sent = testenv.Espeak(t, line)
		// Said twice: the second time is heard after the transfer.
		wav = testenv.Concat(t, p.sent, testenv.Pad(t, p.sent, time.Second, 0))
	}
	p.audio, p.received = fileAudio(t, wav)
	return p
}

// consult puts caller on hold and calls user; answer makes the far end
// pick up and returns its side of the consultation.
func consult(t *testing.T, agent party, caller *sip.Call, user string, answer func() *sip.Call) (agentSide, targetSide *sip.Call) {
	t.Helper()
	if err := caller.Hold(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("hold: %v", err)
	}
	c, err := agent.ua.Dial(ctxFor(t, 5*time.Second), user, silentAudio(t))
	if err != nil {
		t.Fatal(err)
	}
	targetSide = answer()
	if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
		t.Fatalf("consultation not answered: %v", err)
	}
	return c, targetSide
}

func silentAudio(t *testing.T) sip.Audio {
	a, _ := fileAudio(t, "")
	return a
}

func answerNext(t *testing.T, p party) func() *sip.Call {
	return func() *sip.Call {
		in := nextIncoming(t, p.ua, 10*time.Second)
		if err := in.Answer(ctxFor(t, 10*time.Second), p.audio); err != nil {
			t.Fatalf("answer: %v", err)
		}
		return in
	}
}

// agentLeft checks both of the agent's calls ended as transferred.
func agentLeft(t *testing.T, caller, consultation *sip.Call) {
	t.Helper()
	waitDone(t, caller, 10*time.Second)
	waitDone(t, consultation, 10*time.Second)
	if !caller.End().Transferred || !consultation.End().Transferred {
		t.Errorf("the agent's calls should end as transferred: caller %+v, consultation %+v", caller.End(), consultation.End())
	}
}

// TestAttendedTransferReplaces: customer, agent and colleague are Homeshore
// user agents registered at Kamailio. The customer calls, the agent holds
// and consults, then completes with REFER + Replaces: the customer's phone
// calls the colleague with Replaces, the colleague's phone swaps the
// consultation for the customer without ringing, the agent is out of both
// calls, and customer and colleague hear each other.
func TestAttendedTransferReplaces(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"agent": "apw", "cust": "cpw", "billing": "bpw"})
	agent := registeredParty(t, k, "agent", "apw", agentLine)
	target := registeredParty(t, k, "billing", "bpw", targetLine)
	cust := registeredParty(t, k, "cust", "cpw", customerLine)
	custCall, err := cust.ua.Dial(ctxFor(t, 5*time.Second), "agent", cust.audio)
	if err != nil {
		t.Fatal(err)
	}
	caller := answerNext(t, agent)()
	if err := custCall.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	consultation, targetSide := consult(t, agent, caller, "billing", answerNext(t, target))
	if err := caller.TransferReplacing(ctxFor(t, 20*time.Second), consultation); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	ev := waitCallEvent(t, targetSide, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Transferred); return ok })
	withCustomer := ev.(sip.Transferred).To
	if withCustomer.RemoteUser() != "cust" {
		t.Fatalf("the colleague's new call is with %q, want cust", withCustomer.Remote())
	}
	ev = waitCallEvent(t, custCall, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Transferred); return ok })
	custNew := ev.(sip.Transferred).To
	agentLeft(t, caller, consultation)
	if err := custNew.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second)
	if err := custNew.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	waitDone(t, withCustomer, 5*time.Second)
	flush(t, target.audio)
	flush(t, cust.audio)
	assertSpeech(t, cust.sent, target.received)
	assertSpeech(t, target.sent, cust.received)
}

// TestAttendedTransferBaresipCustomer: the customer is baresip 1.0, whose
// INVITE does not list Replaces in Supported (it would dial the Replaces
// header as part of the address). The agent's app then transfers to the
// consulted colleague without Replaces: the colleague takes the customer as
// a second call, the agent leaves both calls, and customer and colleague
// hear each other.
func TestAttendedTransferBaresipCustomer(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"agent": "apw", "cust": "cpw", "billing": "bpw"})
	agent := registeredParty(t, k, "agent", "apw", agentLine)
	target := registeredParty(t, k, "billing", "bpw", targetLine)
	customerWAV := testenv.Espeak(t, customerLine)
	recordDir := t.TempDir()
	b := testenv.StartBaresip(t, testenv.BaresipOptions{
		AOR: k.AOR("cust"), Password: "cpw", Codecs: []string{"pcmu"}, PlayWAV: customerWAV, PlayLoop: true, RecordDir: recordDir,
	})
	if err := b.Command("/dial " + k.AOR("agent")); err != nil {
		t.Fatal(err)
	}
	caller := answerNext(t, agent)()
	b.Expect(t, testenv.EventCallEstablished)
	// The colleague's files are for the customer: the consultation gets its own.
	consultation, targetSide := consult(t, agent, caller, "billing", answerNext(t, party{ua: target.ua, audio: silentAudio(t)}))
	done := make(chan error, 1)
	go func() { done <- caller.TransferReplacing(ctxFor(t, 20*time.Second), consultation) }()
	// The colleague answers the customer as a second call.
	second := nextIncoming(t, target.ua, 10*time.Second)
	if second.RemoteUser() != "cust" {
		t.Fatalf("second call from %q, want cust", second.Remote())
	}
	if err := targetSide.Hold(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("colleague holds the consultation: %v", err)
	}
	if err := second.Answer(ctxFor(t, 10*time.Second), target.audio); err != nil {
		t.Fatalf("colleague answers the customer: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("transfer: %v\nbaresip:\n%s", err, b.Log())
	}
	agentLeft(t, caller, consultation)
	waitDone(t, targetSide, 5*time.Second)
	time.Sleep(6 * time.Second)
	if err := second.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	b.Expect(t, testenv.EventCallClosed)
	flush(t, target.audio)
	assertSpeech(t, customerWAV, target.received)
	_, last := baresipRecordings(t, recordDir)
	assertSpeech(t, target.sent, last)
}

// TestAttendedTransferToBaresip: the colleague is baresip 1.0, which does
// not know Replaces: it answers the customer's replacing INVITE as a new
// call, and the agent's app hangs up the consultation itself. Customer
// (Homeshore) and colleague hear each other.
func TestAttendedTransferToBaresip(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"agent": "apw", "cust": "cpw", "billing": "bpw"})
	agent := registeredParty(t, k, "agent", "apw", agentLine)
	cust := registeredParty(t, k, "cust", "cpw", customerLine)
	targetWAV := testenv.Espeak(t, targetLine)
	recordDir := t.TempDir()
	b := testenv.StartBaresip(t, testenv.BaresipOptions{
		AOR: k.AOR("billing"), Password: "bpw", Codecs: []string{"pcmu"}, PlayWAV: targetWAV, PlayLoop: true,
		RecordDir: recordDir, AutoAnswer: true,
	})
	custCall, err := cust.ua.Dial(ctxFor(t, 5*time.Second), "agent", cust.audio)
	if err != nil {
		t.Fatal(err)
	}
	caller := answerNext(t, agent)()
	consultation, _ := consult(t, agent, caller, "billing", func() *sip.Call {
		b.Expect(t, testenv.EventCallEstablished)
		return nil
	})
	if err := caller.TransferReplacing(ctxFor(t, 20*time.Second), consultation); err != nil {
		t.Fatalf("transfer: %v\nbaresip:\n%s", err, b.Log())
	}
	ev := waitCallEvent(t, custCall, 10*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.Transferred); return ok })
	custNew := ev.(sip.Transferred).To
	agentLeft(t, caller, consultation)
	if err := custNew.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(6 * time.Second)
	if err := custNew.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	b.Expect(t, testenv.EventCallClosed)
	flush(t, cust.audio)
	assertSpeech(t, targetWAV, cust.received)
	_, last := baresipRecordings(t, recordDir)
	assertSpeech(t, cust.sent, last)
}

// sippTransfer calls sipp as the customer (uas_transferee.xml, which
// refuses the first hold with 491 and reports outcome for the target),
// consults a second user agent and completes the transfer.
func sippTransfer(t *testing.T, outcome string) (s *testenv.SippRun, caller, consultation *sip.Call, err error) {
	t.Helper()
	s, uri := sippAnswers(t, "uas_transferee.xml", "-key", "outcome", outcome)
	agent := newUA(t, sip.Config{})
	target := newUA(t, sip.Config{})
	caller, err = agent.Dial(ctxFor(t, 5*time.Second), uri, silentAudio(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := caller.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := caller.Hold(ctxFor(t, 15*time.Second)); err != nil {
		t.Fatalf("hold after a 491: %v\n%s", err, s.Logs())
	}
	// We placed the call, so we wait 2.1-4 s before sending again (RFC 3261 §14.1).
	if waited := time.Since(start); waited < 2100*time.Millisecond {
		t.Errorf("hold retried after %s, want at least 2.1 s", waited)
	}
	consultation, err = agent.Dial(ctxFor(t, 5*time.Second), "sip:billing@"+target.SIPAddr().String(), silentAudio(t))
	if err != nil {
		t.Fatal(err)
	}
	in := nextIncoming(t, target, 5*time.Second)
	if err := in.Answer(ctxFor(t, 5*time.Second), silentAudio(t)); err != nil {
		t.Fatal(err)
	}
	if err := consultation.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	return s, caller, consultation, caller.TransferReplacing(ctxFor(t, 20*time.Second), consultation)
}

// TestSippAttendedTransfer: a hold refused with 491 is retried after the
// RFC's wait; the REFER carries Replaces naming the consultation as the
// target sees it (its tag as to-tag, ours as from-tag); on the final
// NOTIFY 200 the agent leaves the caller, and since the target never
// claims the consultation, hangs that up too.
func TestSippAttendedTransfer(t *testing.T) {
	t.Parallel()
	s, caller, consultation, err := sippTransfer(t, "200 OK")
	if err != nil {
		t.Fatalf("transfer: %v\n%s", err, s.Logs())
	}
	agentLeft(t, caller, consultation)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	want := "Replaces=" + url.QueryEscape(consultation.RefForPeer().String())
	if logs := s.Logs(); !strings.Contains(logs, "replaces "+want) {
		t.Fatalf("sipp did not see %s in Refer-To:\n%s", want, logs)
	}
}

// TestSippAttendedTransferFails: the target's failure (486) reaches the
// agent as an error with the status; both calls stay, the caller on hold.
func TestSippAttendedTransferFails(t *testing.T) {
	t.Parallel()
	s, caller, consultation, err := sippTransfer(t, "486 Busy Here")
	if !sip.IsStatus(err, 486) {
		t.Fatalf("transfer error %v, want the target's 486", err)
	}
	select {
	case <-caller.Done():
		t.Fatal("the caller was dropped after a failed transfer")
	case <-consultation.Done():
		t.Fatal("the consultation was dropped after a failed transfer")
	case <-time.After(time.Second):
	}
	if local, _ := caller.Held(); !local {
		t.Error("the caller should still be on hold")
	}
	if err := caller.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}
