// Package grant checks, in the agent's app, the short-lived signed grants
// the backend gives a supervisor to listen to an agent's call.
package grant

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// The token (CONTRACTS.md, "Monitoring grant"):
// base64url(payload) "." base64url(ed25519.Sign(priv, payload)), no
// padding; payload is the JSON of Claims.

// Issuer is the only issuer accepted.
const Issuer = api.GrantIssuer

// MaxLifetime is the longest a grant may live (exp - iat).
const MaxLifetime = 120 * time.Second

// Skew is the clock difference tolerated between server and agent.
const Skew = 30 * time.Second

// Claims is the signed payload (the server's wire type).
type Claims api.GrantClaims

// Allows reports whether the grant covers mode.
func (c Claims) Allows(mode string) bool { return slices.Contains(c.Modes, mode) }

// Errors a refused grant wraps, for the log; the supervisor only gets 403.
var (
	ErrMissing   = errors.New("no monitoring grant in the request")
	ErrMalformed = errors.New("monitoring grant is malformed")
	ErrSignature = errors.New("monitoring grant is not signed by a key the policy trusts")
	ErrExpired   = errors.New("monitoring grant has expired")
	ErrNotYet    = errors.New("monitoring grant is not valid yet")
	ErrAgent     = errors.New("monitoring grant is for another agent")
	ErrMode      = errors.New("monitoring grant does not allow this mode")
	ErrReplayed  = errors.New("monitoring grant was already used")
	ErrNoKeys    = errors.New("monitoring is not set up: the policy trusts no grant key")
)

// ParseKeys reads the policy's base64 (standard) ed25519 public keys.
func ParseKeys(b64 []string) ([]ed25519.PublicKey, error) {
	keys := make([]ed25519.PublicKey, 0, len(b64))
	for _, k := range b64 {
		raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(k))
		if err != nil || len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("grant key %q is not a base64 ed25519 public key (32 bytes)", k)
		}
		keys = append(keys, ed25519.PublicKey(raw))
	}
	return keys, nil
}

// Sign makes a token (the server's side; tests and tools).
func Sign(priv ed25519.PrivateKey, c Claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(ed25519.Sign(priv, payload)), nil
}

// Verifier checks grants and remembers the ones used, so none serves twice.
// It is safe for concurrent use.
type Verifier struct {
	mu   sync.Mutex
	seen map[string]time.Time // jti -> when it can be forgotten
}

// NewVerifier returns a Verifier that has seen no grant.
func NewVerifier() *Verifier { return &Verifier{seen: map[string]time.Time{}} }

// Verify checks token against keys at now for agent in mode: signature by
// one of keys, issuer and version, iat/exp within MaxLifetime and Skew, the
// agent, the mode, and a jti never seen before (which it then records).
func (v *Verifier) Verify(token string, keys []ed25519.PublicKey, now time.Time, agent, mode string) (Claims, error) {
	c, err := check(token, keys, now)
	if err != nil {
		return Claims{}, err
	}
	if !strings.EqualFold(c.Agent, agent) {
		return c, fmt.Errorf("%w (%q, this is %q)", ErrAgent, c.Agent, agent)
	}
	if !c.Allows(mode) {
		return c, fmt.Errorf("%w (%s; it allows %s)", ErrMode, mode, strings.Join(c.Modes, ", "))
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for jti, until := range v.seen {
		if now.After(until) {
			delete(v.seen, jti)
		}
	}
	if _, used := v.seen[c.JTI]; used {
		return c, ErrReplayed
	}
	// Past exp+Skew the grant fails as expired anyway.
	v.seen[c.JTI] = time.Unix(c.Exp, 0).Add(Skew)
	return c, nil
}

// check verifies everything but the agent, the mode and replay.
func check(token string, keys []ed25519.PublicKey, now time.Time) (Claims, error) {
	if len(keys) == 0 {
		return Claims{}, ErrNoKeys
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return Claims{}, ErrMissing
	}
	p64, s64, ok := strings.Cut(token, ".")
	if !ok {
		return Claims{}, fmt.Errorf("%w: no signature part", ErrMalformed)
	}
	enc := base64.RawURLEncoding
	payload, err := enc.DecodeString(p64)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	sig, err := enc.DecodeString(s64)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return Claims{}, fmt.Errorf("%w: signature", ErrMalformed)
	}
	if !slices.ContainsFunc(keys, func(k ed25519.PublicKey) bool { return ed25519.Verify(k, payload, sig) }) {
		return Claims{}, ErrSignature
	}
	var c Claims
	dec := json.NewDecoder(bytes.NewReader(payload))
	if err := dec.Decode(&c); err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case c.V != 1 || c.Iss != Issuer:
		return c, fmt.Errorf("%w: version %d from %q", ErrMalformed, c.V, c.Iss)
	case c.JTI == "" || c.Agent == "" || c.Sup == "":
		return c, fmt.Errorf("%w: missing jti, agent or supervisor", ErrMalformed)
	case c.Exp <= c.Iat || time.Duration(c.Exp-c.Iat)*time.Second > MaxLifetime:
		return c, fmt.Errorf("%w: lifetime %d s (at most %s)", ErrMalformed, c.Exp-c.Iat, MaxLifetime)
	case now.After(time.Unix(c.Exp, 0).Add(Skew)):
		return c, fmt.Errorf("%w at %s", ErrExpired, time.Unix(c.Exp, 0).UTC().Format(time.RFC3339))
	case now.Before(time.Unix(c.Iat, 0).Add(-Skew)):
		return c, ErrNotYet
	}
	return c, nil
}
