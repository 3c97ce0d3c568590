package sip

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// When a registration fails, the next REGISTER waits (RFC 5626 §4.5 with
// quick first tries): after a failure that may pass quickly (no answer,
// a refused connection, no route, 5xx, 408, 480) quickRetries tries
// retryFirst apart, doubling; then, and at once for other refusals,
// retryBase doubling up to retryMax. Each wait is drawn between 50 % and
// 100 % of that, so hundreds of agents whose server restarted do not all
// come back in the same second. A Retry-After from the server is a floor
// (up to retryAfterMax).
const (
	quickRetries  = 3
	retryFirst    = time.Second
	retryBase     = 30 * time.Second
	retryMax      = 120 * time.Second
	retryAfterMax = 30 * time.Minute
)

// retryDelay is the wait before the next REGISTER after failures
// consecutive failures (the last one err). draw returns a number in
// [0, 1): the jitter.
func retryDelay(failures int, err error, draw func() float64) time.Duration {
	n := max(failures, 1) - 1
	var nominal time.Duration
	switch {
	case transient(err) && n < quickRetries:
		nominal = retryFirst << n
	default:
		if transient(err) {
			n -= quickRetries
		}
		nominal = retryMax
		if n < 8 && retryBase<<n < retryMax {
			nominal = retryBase << n
		}
	}
	wait := nominal/2 + time.Duration(draw()*float64(nominal/2))
	var se *StatusError
	if errors.As(err, &se) && se.RetryAfter > 0 {
		floor := min(se.RetryAfter, retryAfterMax)
		// Above the floor by up to 10 %, never below it.
		wait = max(wait, floor+time.Duration(draw()*float64(floor/10)))
	}
	return wait
}

// jitter is the default draw of retryDelay.
func jitter() float64 { return rand.Float64() }

// transient reports whether a failed REGISTER may pass within seconds:
// no final response at all, or a response that says "not now".
func transient(err error) bool {
	var se *StatusError
	if !errors.As(err, &se) {
		return true // a timeout, a refused connection, no route, DNS
	}
	switch {
	case se.Code >= 500:
		return true
	case se.Code == sip.StatusRequestTimeout, se.Code == sip.StatusTemporarilyUnavailable, se.Code == 429:
		return true
	}
	return false
}

// permanent reports whether retrying cannot fix a failed REGISTER: the
// registrar refused the credentials we answered its challenge with, or we
// have no password to answer with. The agent (or IT) must fix the
// account; retrying would only lock it on servers that ban after failed
// logins.
func permanent(err error) bool {
	return errors.Is(err, ErrAuthFailed) || errors.Is(err, ErrNoPassword)
}

// retryAfter reads a response's Retry-After (RFC 3261 §20.33:
// delta-seconds, then an optional comment and parameters).
func retryAfter(res *sip.Response) time.Duration {
	h := res.GetHeader("Retry-After")
	if h == nil {
		return 0
	}
	v := strings.TrimSpace(h.Value())
	end := strings.IndexFunc(v, func(r rune) bool { return r < '0' || r > '9' })
	if end >= 0 {
		v = v[:end]
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0
	}
	return time.Duration(n) * time.Second
}
