package sip_test

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// TestRegistrarSetsTheLifetime: we ask for 60 s; the registrar wants at
// least 120 (423 Min-Expires), then grants 100 s in our Contact's expires
// (its Expires header's 3600 does not apply to us). We refresh at 80 % of
// the 100 s, on the UA's clock, and unregister with Expires: 0.
func TestRegistrarSetsTheLifetime(t *testing.T) {
	t.Parallel()
	s := testenv.Sipp(t, "uas_register_expiry.xml")
	clock := sip.NewFakeClock()
	ua := newUA(t, sip.Config{Registrar: s.Addr(), User: "alice", Expires: 60 * time.Second, KeepAlive: -1, NetworkCheck: -1, Clock: clock})
	if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("register: %v\n%s", err, s.Logs())
	}
	if reg := waitUAEvent[sip.Registered](t, ua, time.Second); reg.Expires != 100*time.Second {
		t.Fatalf("granted %s, want the 100 s of our Contact", reg.Expires)
	}
	<-clock.WaitArmed(1)
	clock.Advance(80 * time.Second)
	if reg := waitUAEvent[sip.Registered](t, ua, 5*time.Second); reg.Expires != 100*time.Second || reg.Unreachable != 0 {
		t.Fatalf("refresh %+v", reg)
	}
	if err := ua.Unregister(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}
