package grant

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func newKey(t testing.TB) (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

var t0 = time.Unix(1_800_000_000, 0)

func claims() Claims {
	return Claims{V: 1, Iss: Issuer, Sup: "sam", Agent: "alice", Modes: []string{"listen", "whisper"},
		Iat: t0.Unix(), Exp: t0.Add(MaxLifetime).Unix(), JTI: "j1"}
}

func TestVerify(t *testing.T) {
	pub, priv := newKey(t)
	otherPub, otherPriv := newKey(t)
	sign := func(c Claims, k ed25519.PrivateKey) string {
		tok, err := Sign(k, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	with := func(f func(*Claims)) Claims { c := claims(); f(&c); return c }
	good := sign(claims(), priv)
	keys := []ed25519.PublicKey{otherPub, pub}
	cases := []struct {
		name  string
		token string
		keys  []ed25519.PublicKey
		now   time.Time
		agent string
		mode  string
		want  error
	}{
		{"valid, second key", good, keys, t0.Add(time.Second), "alice", "listen", nil},
		{"agent case-insensitive", sign(with(func(c *Claims) { c.JTI = "j2" }), priv), keys, t0, "Alice", "whisper", nil},
		{"within skew after exp", sign(with(func(c *Claims) { c.JTI = "j3" }), priv), keys, t0.Add(MaxLifetime + Skew), "alice", "listen", nil},
		{"expired", sign(with(func(c *Claims) { c.JTI = "j4" }), priv), keys, t0.Add(MaxLifetime + Skew + time.Second), "alice", "listen", ErrExpired},
		{"not yet", sign(with(func(c *Claims) { c.JTI = "j5" }), priv), keys, t0.Add(-Skew - time.Second), "alice", "listen", ErrNotYet},
		{"other agent", sign(with(func(c *Claims) { c.JTI = "j6" }), priv), keys, t0, "bob", "listen", ErrAgent},
		{"mode not granted", sign(with(func(c *Claims) { c.JTI = "j7" }), priv), keys, t0, "alice", "barge", ErrMode},
		{"untrusted key", sign(with(func(c *Claims) { c.JTI = "j8" }), otherPriv), []ed25519.PublicKey{pub}, t0, "alice", "listen", ErrSignature},
		{"no keys", good, nil, t0, "alice", "listen", ErrNoKeys},
		{"too long", sign(with(func(c *Claims) { c.JTI = "j9"; c.Exp = c.Iat + 121 }), priv), keys, t0, "alice", "listen", ErrMalformed},
		{"wrong issuer", sign(with(func(c *Claims) { c.JTI = "j10"; c.Iss = "x" }), priv), keys, t0, "alice", "listen", ErrMalformed},
		{"no jti", sign(with(func(c *Claims) { c.JTI = "" }), priv), keys, t0, "alice", "listen", ErrMalformed},
		{"empty", "", keys, t0, "alice", "listen", ErrMissing},
		{"garbage", "abc", keys, t0, "alice", "listen", ErrMalformed},
		{"tampered", tamper(good), keys, t0, "alice", "listen", ErrSignature},
		{"replayed", good, keys, t0.Add(2 * time.Second), "alice", "listen", ErrReplayed},
	}
	v := NewVerifier()
	for _, tc := range cases {
		_, err := v.Verify(tc.token, tc.keys, tc.now, tc.agent, tc.mode)
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

// tamper changes the payload (a barge for a listen grant) keeping the signature.
func tamper(tok string) string {
	p, s, _ := strings.Cut(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(p)
	raw = []byte(strings.Replace(string(raw), `"listen"`, `"barge"`, 1))
	return base64.RawURLEncoding.EncodeToString(raw) + "." + s
}

// TestReplayForgottenAfterExpiry: the seen set does not grow for ever.
func TestReplayForgottenAfterExpiry(t *testing.T) {
	pub, priv := newKey(t)
	v := NewVerifier()
	for i := range 50 {
		c := claims()
		c.JTI = string(rune('a' + i))
		tok, _ := Sign(priv, c)
		if _, err := v.Verify(tok, []ed25519.PublicKey{pub}, t0, "alice", "listen"); err != nil {
			t.Fatal(err)
		}
	}
	c := claims()
	c.JTI, c.Iat, c.Exp = "late", t0.Add(time.Hour).Unix(), t0.Add(time.Hour+time.Minute).Unix()
	tok, _ := Sign(priv, c)
	if _, err := v.Verify(tok, []ed25519.PublicKey{pub}, t0.Add(time.Hour), "alice", "listen"); err != nil {
		t.Fatal(err)
	}
	if n := len(v.seen); n != 1 {
		t.Fatalf("%d grants remembered an hour later, want 1", n)
	}
}

func TestParseKeys(t *testing.T) {
	pub, _ := newKey(t)
	if _, err := ParseKeys([]string{base64.StdEncoding.EncodeToString(pub)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKeys([]string{"bm90IGEga2V5"}); err == nil {
		t.Fatal("a short key was accepted")
	}
}

// FuzzVerify: any token is refused or accepted without panicking, and an
// accepted one was signed by the key.
func FuzzVerify(f *testing.F) {
	pub, priv := newKey(f)
	tok, _ := Sign(priv, claims())
	f.Add(tok)
	f.Add("")
	f.Add("a.b")
	f.Add(tamper(tok))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := NewVerifier().Verify(token, []ed25519.PublicKey{pub}, t0, "alice", "listen")
		if err == nil && c.JTI != "j1" {
			t.Fatalf("accepted a token that was never signed: %+v", c)
		}
	})
}
