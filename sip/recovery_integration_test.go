package sip_test

import (
	"errors"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// waitUAEvent returns the first UA event of type E, failing on a
// RegistrationFailed while waiting for something else.
func waitUAEvent[E sip.Event](t *testing.T, ua *sip.UA, within time.Duration) E {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-ua.Events():
			if e, ok := ev.(E); ok {
				return e
			}
			if f, ok := ev.(sip.RegistrationFailed); ok {
				t.Fatalf("registration failed while waiting for %T: %v", *new(E), f.Err)
			}
		case <-deadline:
			t.Fatalf("no %T within %s", *new(E), within)
		}
	}
}

func register(t *testing.T, ua *sip.UA) {
	t.Helper()
	if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	waitUAEvent[sip.Registered](t, ua, 5*time.Second)
}

// TestReregistersWhenKamailioRestarts: a restarted registrar forgets our
// binding. Over UDP only the keepalive can tell (OPTIONS to our own
// address of record now gets 404); over TCP the connection drops. Either
// way we register again within seconds, not at the refresh (240 s here),
// report the outage with its length, and a colleague can call us again.
func TestReregistersWhenKamailioRestarts(t *testing.T) {
	for _, tc := range []struct {
		transport string
		keepAlive time.Duration
		cause     error
	}{
		{sip.TransportUDP, time.Second, sip.ErrBindingLost},
		{sip.TransportTCP, 0, sip.ErrConnectionLost}, // the default 30 s keepalive would be too late
		{sip.TransportTLS, 0, sip.ErrConnectionLost}, // and a new connection means a new contact port
	} {
		t.Run(tc.transport, func(t *testing.T) {
			t.Parallel()
			k := testenv.StartKamailio(t, map[string]string{"alice": "apw", "bob": "bpw"})
			addr := k.Addr()
			if tc.transport == sip.TransportTLS {
				k.RequireTLS(t)
				addr = k.TLSAddr()
			}
			cfg := func(user, pw string) sip.Config {
				return sip.Config{Registrar: addr, User: user, Password: pw, Transport: tc.transport, CAFile: k.CAFile,
					KeepAlive: tc.keepAlive, Expires: 300 * time.Second}
			}
			alice := newUA(t, cfg("alice", "apw"))
			register(t, alice)

			k.Restart(t)
			restarted := time.Now()
			lost := waitUAEvent[sip.Reconnecting](t, alice, 10*time.Second)
			if !errors.Is(lost.Err, tc.cause) {
				t.Errorf("reconnecting because %v, want %v", lost.Err, tc.cause)
			}
			back := waitUAEvent[sip.Registered](t, alice, 15*time.Second)
			if took := time.Since(restarted); took > 10*time.Second {
				t.Errorf("registered again %s after the restart", took)
			}
			if back.Unreachable <= 0 || back.At.Before(lost.Since) {
				t.Errorf("back %+v after %+v: want the time unreachable counted", back, lost)
			}
			t.Logf("reconnecting after %s (%v), registered again after %s, unreachable %s",
				lost.Since.Sub(restarted).Round(time.Millisecond), lost.Err, time.Since(restarted).Round(time.Millisecond), back.Unreachable.Round(time.Millisecond))

			bob := newUA(t, cfg("bob", "bpw"))
			register(t, bob)
			c, err := bob.Dial(ctxFor(t, 5*time.Second), "alice", sip.Audio{})
			if err != nil {
				t.Fatal(err)
			}
			in := nextIncoming(t, alice, 10*time.Second)
			if err := in.Reject(486); err != nil {
				t.Fatal(err)
			}
			if err := c.WaitAnswered(ctxFor(t, 10*time.Second)); !sip.IsStatus(err, 486) {
				t.Fatalf("bob's call: %v, want alice's 486", err)
			}
		})
	}
}
