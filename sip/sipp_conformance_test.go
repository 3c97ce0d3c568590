package sip_test

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/sip"
)

// RFC 3261 §8.2 UAS behaviour against sipp's own parser and matching.

func TestSippUnsupportedVersionGets505(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	if err := sippCalls(t, ua, "uac_505.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	noIncomingCall(t, ua)
}

func TestSippRequireUnknownGets420(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	if err := sippCalls(t, ua, "uac_420.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	noIncomingCall(t, ua)
}

func TestSippWhitespaceTortureCall(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_whitespace.xml")
	var c *sip.Call
	select {
	case c = <-calls:
	case <-time.After(sippWait):
		t.Fatalf("the call never rang:\n%s", s.Logs())
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	if end := waitDone(t, c, 5*time.Second); end.Err != nil || end.By != sip.EndedByRemote || !end.Answered {
		t.Fatalf("end %+v, want answered and ended by sipp's BYE", end)
	}
}

// noIncomingCall fails when a refused request still reached the agent.
func noIncomingCall(t *testing.T, ua *sip.UA) {
	t.Helper()
	for {
		select {
		case ev := <-ua.Events():
			if in, ok := ev.(sip.IncomingCall); ok {
				t.Fatalf("the refused INVITE rang the agent: %s", in.Call.Remote())
			}
		default:
			return
		}
	}
}
