package sip

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// TestRetryDelaySchedule: quick first tries after a failure that may pass
// in seconds, then 30 s doubling to the cap, each drawn between half and
// all of it; refusals that will not pass in seconds start slow; a
// Retry-After is a floor, capped; refused credentials are final.
func TestRetryDelaySchedule(t *testing.T) {
	timeout := fmt.Errorf("%w: no answer", ErrTimeout)
	unavailable := &StatusError{Code: 503, Reason: "Service Unavailable"}
	notFound := fmt.Errorf("refused: %w", &StatusError{Code: 404, Reason: "Not Found"})
	low, high := func() float64 { return 0 }, func() float64 { return 1 }
	for _, tc := range []struct {
		err  error
		want []time.Duration // nominal waits after 1, 2, 3... failures
	}{
		{timeout, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 30 * time.Second, 60 * time.Second, 120 * time.Second, 120 * time.Second}},
		{unavailable, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 30 * time.Second}},
		{notFound, []time.Duration{30 * time.Second, 60 * time.Second, 120 * time.Second, 120 * time.Second}},
	} {
		for i, nominal := range tc.want {
			if got := retryDelay(i+1, tc.err, high); got != nominal {
				t.Errorf("%v, failure %d: %s at most, want %s", tc.err, i+1, got, nominal)
			}
			if got := retryDelay(i+1, tc.err, low); got != nominal/2 {
				t.Errorf("%v, failure %d: %s at least, want %s", tc.err, i+1, got, nominal/2)
			}
		}
	}
	if got := retryDelay(1000, timeout, high); got != retryMax {
		t.Errorf("after 1000 failures: %s, want the cap %s", got, retryMax)
	}
	busy := fmt.Errorf("refused: %w", &StatusError{Code: 503, Reason: "Service Unavailable", RetryAfter: 20 * time.Second})
	if got := retryDelay(1, busy, low); got != 20*time.Second {
		t.Errorf("Retry-After 20: %s at least, want 20s", got)
	}
	if got := retryDelay(1, busy, high); got != 22*time.Second {
		t.Errorf("Retry-After 20: %s at most, want 22s", got)
	}
	forever := &StatusError{Code: 503, RetryAfter: 24 * time.Hour}
	if got := retryDelay(1, forever, low); got != retryAfterMax {
		t.Errorf("Retry-After a day: %s, want the cap %s", got, retryAfterMax)
	}
	for _, err := range []error{fmt.Errorf("x: %w", ErrAuthFailed), fmt.Errorf("x: %w", ErrNoPassword)} {
		if !permanent(err) {
			t.Errorf("%v is not final", err)
		}
	}
	for _, err := range []error{timeout, unavailable, notFound, errors.New("connection refused")} {
		if permanent(err) {
			t.Errorf("%v is final", err)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	for value, want := range map[string]time.Duration{
		"120":                         120 * time.Second,
		" 18000 (Under maintenance) ": 18000 * time.Second,
		"30;duration=3600":            30 * time.Second,
		"soon":                        0,
		"":                            0,
	} {
		res := sip.NewResponse(503, "Service Unavailable")
		res.AppendHeader(sip.NewHeader("Retry-After", value))
		if got := retryAfter(res); got != want {
			t.Errorf("Retry-After %q: %s, want %s", value, got, want)
		}
	}
	if got := retryAfter(sip.NewResponse(503, "Service Unavailable")); got != 0 {
		t.Errorf("no Retry-After: %s", got)
	}
}

func TestStaleNonce(t *testing.T) {
	for value, want := range map[string]bool{
		`Digest realm="x", nonce="abc", stale=true`:   true,
		`Digest realm="x", nonce="abc", stale="TRUE"`: true,
		`Digest stale=true, realm="x"`:                true,
		`Digest realm="x", nonce="abc", stale=false`:  false,
		`Digest realm="x", nonce="stale=true"`:        false,
	} {
		res := sip.NewResponse(401, "Unauthorized")
		res.AppendHeader(sip.NewHeader("WWW-Authenticate", value))
		if got := staleNonce(res); got != want {
			t.Errorf("%s: stale %v, want %v", value, got, want)
		}
	}
}
