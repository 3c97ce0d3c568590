package server

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Roles of an account.
const (
	RoleAgent      = "agent"
	RoleSupervisor = "supervisor"
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
}

func (p principal) supervisor() bool { return p.Role == RoleSupervisor }

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
// fixed window; past the limit logins are refused until the window ends.
type loginLimiter struct {
	mu     sync.Mutex
	window time.Duration
	fails  map[string]*failWindow
}

type failWindow struct {
	start time.Time
	n     int
}

func newLoginLimiter(window time.Duration) *loginLimiter {
	return &loginLimiter{window: window, fails: map[string]*failWindow{}}
}

// blocked returns how long key must wait once it failed limit times, or 0.
func (l *loginLimiter) blocked(key string, limit int, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[key]
	if f == nil || now.Sub(f.start) >= l.window {
		return 0
	}
	if f.n >= limit {
		return l.window - now.Sub(f.start)
	}
	return 0
}

func (l *loginLimiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.fails[key]
	if f == nil || now.Sub(f.start) >= l.window {
		// Drop stale windows now and then so the map cannot grow without bound.
		if len(l.fails) > 10000 {
			for k, v := range l.fails {
				if now.Sub(v.start) >= l.window {
					delete(l.fails, k)
				}
			}
		}
		l.fails[key] = &failWindow{start: now, n: 1}
		return
	}
	f.n++
}

func (l *loginLimiter) reset(key string) {
	l.mu.Lock()
	delete(l.fails, key)
	l.mu.Unlock()
}
