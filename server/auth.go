package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// argon2id parameters: OWASP's minimum recommendation (19 MiB, t=2, p=1).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

var errBadHash = errors.New("malformed password hash")

// HashPassword returns a PHC-style argon2id string for password.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// checkPassword reports whether password matches the argon2id hash.
func checkPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// principal is the authenticated caller of a request.
type principal struct {
	UserID string `json:"uid"`
	Role   string `json:"role"`
	Name   string `json:"name"`
	Exp    int64  `json:"exp"`
	// Nonce makes every token (and the console's CSRF token bound to it)
	// unique, even two issued in the same second.
	Nonce string `json:"n,omitempty"`
	// Sid is the session (login) the token belongs to; revoking the
	// session ends the token before it expires.
	Sid string `json:"sid,omitempty"`
}

func (p principal) supervisor() bool { return p.Role == api.RoleSupervisor }

// tokenSigner issues and checks stateless access tokens:
// base64url(JSON claims) "." base64url(HMAC-SHA256).
type tokenSigner struct{ key []byte }

func (s tokenSigner) sign(p principal) string {
	claims, _ := json.Marshal(p)
	body := base64.RawURLEncoding.EncodeToString(claims)
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s tokenSigner) verify(token string, now time.Time) (principal, bool) {
	body, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return principal{}, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return principal{}, false
	}
	mac := hmac.New(sha256.New, s.key)
	mac.Write([]byte(body))
	if !hmac.Equal(got, mac.Sum(nil)) {
		return principal{}, false
	}
	claims, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return principal{}, false
	}
	var p principal
	if json.Unmarshal(claims, &p) != nil || p.UserID == "" || now.Unix() >= p.Exp {
		return principal{}, false
	}
	return p, true
}

// newRefreshToken returns an opaque refresh token and the hash stored for it.
func newRefreshToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// loginLimiter counts failed logins per key (username, client address) in a
// fixed window, plus the attempts still being checked: past the limit logins
// are refused until the window ends, and parallel guesses are refused before
// their password hash runs, not after.
type loginLimiter struct {
	mu     sync.Mutex
	window time.Duration
	fails  map[string]*failWindow
}

type failWindow struct {
	start    time.Time
	n        int // failures in the window
	inflight int // attempts begun and not yet ended
}

// limitKey is one counter an attempt is charged to, with its limit.
type limitKey struct {
	key   string
	limit int
}

func newLoginLimiter(window time.Duration) *loginLimiter {
	return &loginLimiter{window: window, fails: map[string]*failWindow{}}
}

// begin charges an attempt to every key, or to none and returns how long to
// wait when one of them has as many failures and attempts in flight as its
// limit allows. Every successful begin must be followed by one end.
func (l *loginLimiter) begin(keys []limitKey, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		f := l.current(k.key, now)
		if f.n+f.inflight >= k.limit {
			wait := l.window - now.Sub(f.start)
			if f.n < k.limit {
				// Only attempts in flight fill the quota: they end within a second.
				wait = time.Second
			}
			return max(wait, time.Second)
		}
	}
	for _, k := range keys {
		l.current(k.key, now).inflight++
	}
	return 0
}

// end settles an attempt begun at began: a failure is counted in its window,
// a success clears the first key (the username).
func (l *loginLimiter) end(keys []limitKey, failed bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, k := range keys {
		f := l.fails[k.key]
		if f == nil {
			continue
		}
		f.inflight--
		switch {
		case failed:
			if now.Sub(f.start) >= l.window {
				f.start, f.n = now, 0
			}
			f.n++
		case i == 0:
			f.n = 0
		}
		if f.n == 0 && f.inflight == 0 {
			delete(l.fails, k.key)
		}
	}
}

// current returns key's current window, opening a new one when it expired;
// l.mu must be held.
func (l *loginLimiter) current(key string, now time.Time) *failWindow {
	f := l.fails[key]
	if f == nil {
		// Drop idle windows now and then so the map cannot grow without bound.
		if len(l.fails) > 10000 {
			for k, v := range l.fails {
				if v.inflight == 0 && now.Sub(v.start) >= l.window {
					delete(l.fails, k)
				}
			}
		}
		f = &failWindow{start: now}
		l.fails[key] = f
	} else if now.Sub(f.start) >= l.window {
		f.start, f.n = now, 0
	}
	return f
}

// hashGate caps the password hashes computed at once: each argon2id hash
// takes argonMemory of RAM and a core for tens of milliseconds.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
	// peak is the most hashes seen running at once (tests).
	mu      sync.Mutex
	running int
	peak    int
}

func newHashGate(n int, wait time.Duration) *hashGate {
	return &hashGate{slots: make(chan struct{}, n), wait: wait}
}

// errBusy answers a login that could not get a hashing slot in time.
var errBusy = &apiError{Status: http.StatusServiceUnavailable, Code: "busy",
	Message: "the server is busy checking other logins; try again in a few seconds", RetryAfter: 2}

// run computes fn when a slot is free, waiting at most g.wait.
func (g *hashGate) run(ctx context.Context, fn func()) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		return errBusy
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	g.running++
	g.peak = max(g.peak, g.running)
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.running--
		g.mu.Unlock()
		<-g.slots
	}()
	fn()
	return nil
}
