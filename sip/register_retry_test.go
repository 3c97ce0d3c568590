package sip_test

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// TestRegistersOnceTheServerIsUp: the agent opens the app before the SIP
// server (or the VPN to it) is up. The first REGISTER fails (no answer
// over UDP, connection refused over TCP and TLS); the UA says it is
// reconnecting, tries again within a second, and registers by itself once
// Kamailio runs, without the agent doing anything. Then a colleague can
// call the agent.
func TestRegistersOnceTheServerIsUp(t *testing.T) {
	for _, transport := range []string{sip.TransportUDP, sip.TransportTCP, sip.TransportTLS} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			k := testenv.StartKamailio(t, map[string]string{"alice": "apw", "bob": "bpw"})
			addr := k.Addr()
			if transport == sip.TransportTLS {
				k.RequireTLS(t)
				addr = k.TLSAddr()
			}
			k.Stop(t)
			clock := sip.NewFakeClock()
			cfg := sip.Config{Registrar: addr, User: "alice", Password: "apw", Transport: transport, CAFile: k.CAFile,
				Clock: clock, NetworkCheck: -1, RequestTimeout: 2 * time.Second}
			alice := newUA(t, cfg)
			err := alice.Register(ctxFor(t, 10*time.Second))
			var retrying *sip.RetryingError
			if !errors.As(err, &retrying) {
				t.Fatalf("first register with the server down: %v, want a *RetryingError", err)
			}
			down := waitUAEvent[sip.Reconnecting](t, alice, 5*time.Second)
			if !down.Retry.Equal(retrying.Retry) || down.Err == nil {
				t.Fatalf("reconnecting %+v, register said %+v", down, retrying)
			}
			if wait := down.Retry.Sub(down.Since); wait < 500*time.Millisecond || wait > time.Second {
				t.Fatalf("first retry after %s, want within a second (half to all of it)", wait)
			}
			t.Logf("first register: %v; next try in %s", err, down.Retry.Sub(down.Since))

			k.Start(t)
			clock.Advance(down.Retry.Sub(clock.Now()))
			back := waitUAEvent[sip.Registered](t, alice, 10*time.Second)
			if back.Unreachable != down.Retry.Sub(down.Since) {
				t.Fatalf("registered %+v: want the %s unreachable counted", back, down.Retry.Sub(down.Since))
			}

			cfg.User, cfg.Password, cfg.Clock = "bob", "bpw", nil
			bob := newUA(t, cfg)
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

// TestFirstRegisterRefusedIsRetried: a registrar that refuses the first
// REGISTER for now (503 with Retry-After while it starts, 500, 408) is
// asked again soon, never before its Retry-After; a refusal that will not
// pass in seconds (404: IT has not created the user yet) is asked again
// on the slow schedule, and says what to check. Then it takes us.
func TestFirstRegisterRefusedIsRetried(t *testing.T) {
	for _, tc := range []struct {
		status        string
		retryAfter    string
		first, latest time.Duration // when the second REGISTER may go
		code          int
	}{
		{"503 Service Unavailable", "20", 20 * time.Second, 22 * time.Second, 503},
		{"500 Server Internal Error", "0", 500 * time.Millisecond, time.Second, 500},
		{"408 Request Timeout", "0", 500 * time.Millisecond, time.Second, 408},
		{"404 Not Found", "0", 15 * time.Second, 30 * time.Second, 404},
	} {
		t.Run(tc.status[:3], func(t *testing.T) {
			t.Parallel()
			scenario := testenv.SippScenario(t, "uas_register_retry.xml", map[string]string{"status": tc.status})
			s := testenv.Sipp(t, scenario, "-key", "retry_after", tc.retryAfter)
			clock := sip.NewFakeClock()
			ua := newUA(t, sip.Config{Registrar: s.Addr(), User: "alice", KeepAlive: -1, NetworkCheck: -1, Clock: clock})
			start := clock.Now()
			err := ua.Register(ctxFor(t, 5*time.Second))
			var retrying *sip.RetryingError
			if !errors.As(err, &retrying) || !sip.IsStatus(err, tc.code) {
				t.Fatalf("first register: %v, want a *RetryingError with %d\n%s", err, tc.code, s.Logs())
			}
			if tc.code == 404 && !strings.Contains(err.Error(), "check the user name") {
				t.Errorf("404 does not say what to check: %v", err)
			}
			down := waitUAEvent[sip.Reconnecting](t, ua, 5*time.Second)
			if wait := down.Retry.Sub(start); wait < tc.first || wait > tc.latest {
				t.Fatalf("after %s: next REGISTER in %s, want %s to %s", tc.status, wait, tc.first, tc.latest)
			}
			clock.Advance(down.Retry.Sub(clock.Now()))
			if back := waitUAEvent[sip.Registered](t, ua, 5*time.Second); back.Expires != 300*time.Second {
				t.Fatalf("registered %+v", back)
			}
			if err := ua.Unregister(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatal(err)
			}
			if err := s.WaitTimeout(sippWait); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestWrongPasswordIsNotRetried: Kamailio refuses the password (403 after
// its challenge). The agent is told to check the password, and nothing is
// retried behind their back (servers lock accounts after failed logins):
// no timer of the UA is left running, Kamailio saw one attempt, and once
// the account is fixed Register may run again.
func TestWrongPasswordIsNotRetried(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "s3cret"})
	clock := sip.NewFakeClock()
	ua := newUA(t, sip.Config{Registrar: k.Addr(), User: "alice", Password: "wrong", Clock: clock})
	err := ua.Register(ctxFor(t, 5*time.Second))
	var retrying *sip.RetryingError
	if !errors.Is(err, sip.ErrAuthFailed) || errors.As(err, &retrying) {
		t.Fatalf("err = %v, want ErrAuthFailed and no retry", err)
	}
	failed, ok := nextUAEvent(t, ua, 5*time.Second).(sip.RegistrationFailed)
	if !ok || !errors.Is(failed.Err, sip.ErrAuthFailed) {
		t.Fatalf("event %#v, want RegistrationFailed", failed)
	}
	if n := clock.Armed(); n != 0 {
		t.Fatalf("%d timers armed after a refused password: something will retry", n)
	}
	clock.Advance(time.Hour)
	if n := strings.Count(k.Log(), "wrong password for alice"); n != 1 {
		t.Fatalf("Kamailio saw %d attempts with the wrong password, want 1", n)
	}
	if err := ua.Register(ctxFor(t, 5*time.Second)); !errors.Is(err, sip.ErrAuthFailed) {
		t.Fatalf("registering again: %v, want the same refusal (not \"already registered\")", err)
	}
}

// TestRefusedCredentialsStopRetrying: IT resets the agent's password
// during the shift; the refresh is challenged and the old password
// refused (401 again, not stale). The UA says so once and stops: no timer
// is left that could send another REGISTER.
func TestRefusedCredentialsStopRetrying(t *testing.T) {
	t.Parallel()
	s := testenv.Sipp(t, "uas_register_refused_later.xml")
	clock := sip.NewFakeClock()
	ua := newUA(t, sip.Config{Registrar: s.Addr(), User: "alice", Password: "old", KeepAlive: -1, NetworkCheck: -1, Clock: clock})
	register(t, ua)
	clock.Advance(80 * time.Second)
	failed, ok := nextUAEvent(t, ua, 10*time.Second).(sip.RegistrationFailed)
	if !ok || !errors.Is(failed.Err, sip.ErrAuthFailed) || !strings.Contains(failed.Err.Error(), "check the password") {
		t.Fatalf("event %#v, want RegistrationFailed asking to check the password", failed)
	}
	if failed.Since.IsZero() {
		t.Error("RegistrationFailed without the time the line went down")
	}
	if n := clock.Armed(); n != 0 {
		t.Fatalf("%d timers armed after the refusal: something will retry", n)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

// TestStaleNonceIsAnsweredAgain: a 401 with stale=true after our
// credentials means the nonce expired, not the password: answer the new
// challenge (sipp verifies it) instead of telling the agent the password
// is wrong.
func TestStaleNonceIsAnsweredAgain(t *testing.T) {
	t.Parallel()
	s := testenv.Sipp(t, "uas_register_stale.xml", "-key", "auth_user", "alice", "-key", "auth_password", "pw")
	ua := newUA(t, sip.Config{Registrar: s.Addr(), User: "alice", Password: "pw", KeepAlive: -1, NetworkCheck: -1})
	if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("register: %v\n%s", err, s.Logs())
	}
	waitUAEvent[sip.Registered](t, ua, 5*time.Second)
	if err := ua.Unregister(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

// TestUnresolvableRegistrarIsRetried: the server's name does not resolve
// yet (its DNS is behind the VPN): with an address to listen on, the UA
// keeps trying instead of giving up, and says why.
func TestUnresolvableRegistrarIsRetried(t *testing.T) {
	t.Parallel()
	clock := sip.NewFakeClock()
	ua := newUA(t, sip.Config{Registrar: "pbx.invalid", User: "alice", Password: "x", Clock: clock, KeepAlive: -1, NetworkCheck: -1})
	err := ua.Register(ctxFor(t, 10*time.Second))
	var retrying *sip.RetryingError
	var dns *net.DNSError
	if !errors.As(err, &retrying) || !errors.As(err, &dns) {
		t.Fatalf("register: %v, want a *RetryingError carrying the DNS failure", err)
	}
	if down := waitUAEvent[sip.Reconnecting](t, ua, 5*time.Second); !errors.As(down.Err, &dns) {
		t.Fatalf("reconnecting because %v", down.Err)
	}
	if n := clock.Armed(); n != 1 {
		t.Fatalf("%d timers armed, want the retry's", n)
	}
}
