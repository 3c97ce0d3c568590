package testenv

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKamailioStarts(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, map[string]string{"alice": "alice-pw", "bob": "bob-pw"})
	if k.Port == 0 || k.TLSPort == 0 || k.CAFile == "" {
		t.Errorf("Kamailio = %+v; want UDP/TCP port, TLS port and CA file", k)
	}
}

func TestKamailioRegisterDigest(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, map[string]string{"alice": "alice-pw"})
	for _, tc := range []struct {
		name, scenario, transport, user, password string
	}{
		{"udp", "register.xml", "u1", "alice", "alice-pw"},
		{"tcp", "register.xml", "t1", "alice", "alice-pw"},
		{"wrong password", "register_forbidden.xml", "u1", "alice", "nope"},
		{"unknown user", "register_forbidden.xml", "u1", "mallory", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Sipp(t, tc.scenario, "-t", tc.transport, "-s", tc.user, "-au", tc.user, "-ap", tc.password, k.Addr())
			if err := s.WaitTimeout(10 * time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSippWaitReportsScenarioFailure(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, map[string]string{"alice": "alice-pw"})
	s := Sipp(t, "register.xml", "-s", "alice", "-au", "alice", "-ap", "wrong", k.Addr())
	err := s.WaitTimeout(10 * time.Second)
	if !errors.Is(err, ErrSipp) {
		t.Fatalf("register with a wrong password: Wait() = %v; want ErrSipp", err)
	}
	if !strings.Contains(err.Error(), "403") {
		t.Errorf("error does not show the unexpected 403:\n%v", err)
	}
}

// TestKamailioRelaysCallBetweenRegisteredBaresips registers two baresip
// accounts (digest 401) and calls one from the other through Kamailio
// (digest 407 on INVITE, lookup, record-route), over each transport.
func TestKamailioRelaysCallBetweenRegisteredBaresips(t *testing.T) {
	t.Parallel()
	// Users per transport: the subtests share one Kamailio in parallel.
	k := StartKamailio(t, map[string]string{
		"alice_udp": "a1", "bob_udp": "b1", "alice_tcp": "a2", "bob_tcp": "b2", "alice_tls": "a3", "bob_tls": "b3",
	})
	for _, tc := range []struct{ name, hostport, params string }{
		{"udp", k.Addr(), ""},
		{"tcp", k.Addr(), ";transport=tcp"},
		{"tls", k.TLSAddr(), ";transport=tls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.name == "tls" {
				k.RequireTLS(t)
			}
			pw := map[string]string{"udp": "1", "tcp": "2", "tls": "3"}[tc.name]
			bob := StartBaresip(t, BaresipOptions{
				AOR: "sip:bob_" + tc.name + "@" + tc.hostport + tc.params, Password: "b" + pw, AutoAnswer: true,
			})
			alice := StartBaresip(t, BaresipOptions{
				AOR: "sip:alice_" + tc.name + "@" + tc.hostport + tc.params, Password: "a" + pw, PlayDuration: 2 * time.Second,
			})
			command(t, alice, "/dial sip:bob_"+tc.name+"@"+tc.hostport+tc.params)
			in := waitEvent(t, bob, EventCallEstablished)
			if !strings.HasPrefix(in.PeerURI, "sip:alice_"+tc.name+"@") {
				t.Errorf("bob sees caller %q; want sip:alice_%s@...", in.PeerURI, tc.name)
			}
			waitEvent(t, alice, EventCallEstablished)
			waitEvent(t, alice, EventCallClosed)
			waitEvent(t, bob, EventCallClosed)
			// Kamailio logs each request: the first INVITE got a 407, the
			// second carried credentials.
			invites := strings.Count(k.Log(), "INVITE sip:bob_"+tc.name+"@")
			if invites < 2 {
				t.Errorf("Kamailio saw %d INVITEs to bob_%s; want 2 (407 challenge, then authenticated)", invites, tc.name)
			}
		})
	}
}
