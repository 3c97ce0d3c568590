package server

import (
	"errors"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestDecodeJSONStrict: what the body check refuses and what it lets through.
func TestDecodeJSONStrict(t *testing.T) {
	ok := []string{
		`{"a":1,"b":"a","c":{"a":2,"b":{"a":3}},"d":[{"a":1},{"a":2}]}`,
		`{"a":"x\\u0000y"}`, // an escaped backslash, then text: no NUL
		`{"note":"line\nbreak\ttab é 日本"}`,
		`{"a":[],"b":{},"c":null,"d":true,"e":-1.5e3}`,
		`[1,[2,[3]]]`,
		`{"a":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`,
	}
	for _, b := range ok {
		var v any
		if err := decodeJSON([]byte(b), &v); err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	bad := []string{
		`{"a":1,"a":2}`,
		`{"queue":"billing","Queue":"support"}`,
		`{"subject":"x","ſubject":"y"}`, // long s folds to s, as encoding/json matches it
		`{"k":1,"\u212a":2}`,            // Kelvin sign folds to k
		`{"c":{"a":1,"a":2}}`,
		`[{"a":1,"a":1}]`,
		`{"a":"x\u0000y"}`,
		`{"a\u0000":1}`,
		"{\"a\":\"\xff\"}",
		`{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`,
		`{"a":1}{"b":2}`,
		`{"a":1`,
		``,
		`{"a":1e400}`,
	}
	for _, b := range bad {
		var v map[string]any
		err := decodeJSON([]byte(b), &v)
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != 400 {
			t.Errorf("%q: %v, want a 400", b, err)
		}
	}
	// A struct body must be an object: null is not {}.
	var obj struct {
		Version int64 `json:"version"`
	}
	for _, b := range []string{`null`, ` null `} {
		var ae *apiError
		if err := decodeJSON([]byte(b), &obj); !errors.As(err, &ae) || ae.Status != 400 {
			t.Errorf("%q into a struct: %v, want a 400", b, err)
		}
	}
	// Wrong types say which field, without Go's type names.
	var in struct {
		Version int64  `json:"version"`
		Name    string `json:"customer_name"`
	}
	err := decodeJSON([]byte(`{"customer_name":5}`), &in)
	if err == nil || !strings.Contains(err.Error(), "customer_name must be a string") || strings.Contains(err.Error(), "Go") {
		t.Errorf("wrong type: %v", err)
	}
	err = decodeJSON([]byte(`{"version":99999999999999999999}`), &in)
	if err == nil || !strings.Contains(err.Error(), "version must be a whole number") {
		t.Errorf("overflow: %v", err)
	}
}

// TestCheckRequest: paths, queries and headers no endpoint accepts.
func TestCheckRequest(t *testing.T) {
	for _, target := range []string{"/v1/tickets/a%00b", "/v1/tickets/a%FFb", "/v1/tickets/a%C2%85b", "/v1/sync?cursor=%00",
		"/v1/sync?limit=1&limit=2", "/v1/sync?x=%zz", "/v1/sync?a=1;b=2", "/v1/sync?%FF=1"} {
		if err := checkRequest(httptest.NewRequest("GET", target, nil)); err == nil {
			t.Errorf("%s accepted", target)
		}
	}
	r := httptest.NewRequest("POST", "/v1/tickets", nil)
	r.Header.Set("Idempotency-Key", "é")
	if checkRequest(r) == nil {
		t.Error("a non-ASCII Idempotency-Key was accepted")
	}
	r.Header["Idempotency-Key"] = []string{"a", "b"}
	if checkRequest(r) == nil {
		t.Error("two Idempotency-Key headers were accepted")
	}
	r = httptest.NewRequest("GET", "/v1/me", nil)
	r.Header["Authorization"] = []string{"Bearer a.b", "Bearer c.d"}
	if checkRequest(r) == nil {
		t.Error("two Authorization headers were accepted")
	}
	for _, target := range []string{"/v1/tickets/demo-1", "/v1/sync?cursor=5&limit=10", "/v1/tickets?phone=%2B33%206%2012", "/console/?lang=fr",
		"/v1/agents/x/timeline?day=2026-01-01"} {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Idempotency-Key", "550e8400-e29b-41d4-a716-446655440000")
		if err := checkRequest(r); err != nil {
			t.Errorf("%s: %v", target, err)
		}
	}
}

// FuzzDecodeJSON: a body decodeJSON accepts is valid UTF-8 and holds no
// string PostgreSQL would refuse (no NUL), whatever the input.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\u0000"}`, `{"a":1,"A":2}`, `[{"x":[{"y":"z"}]}]`, "\"\xff\"", `{"a":"\\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v any
		if decodeJSON(body, &v) != nil {
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("invalid UTF-8 accepted: %q", body)
		}
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case string:
				if strings.ContainsRune(x, 0) {
					t.Fatalf("NUL accepted: %q", body)
				}
			case []any:
				for _, c := range x {
					walk(c)
				}
			case map[string]any:
				for k, c := range x {
					walk(k)
					walk(c)
				}
			}
		}
		walk(v)
	})
}

// FuzzCheckRequest: whatever the request target, the boundary check never
// panics, and a target it lets through has a path and query values that
// PostgreSQL accepts as text.
func FuzzCheckRequest(f *testing.F) {
	for _, s := range []string{"/v1/tickets/a%00b", "/v1/sync?cursor=1&limit=2", "/v1/x?a=%FF", "/v1/x?a=1&a=2", "/%C2%85", "/v1/x?%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		r := httptest.NewRequest("GET", "/", nil)
		r.URL = u
		if checkRequest(r) != nil {
			return
		}
		if !utf8.ValidString(u.Path) || strings.ContainsRune(u.Path, 0) {
			t.Fatalf("path %q let through", u.Path)
		}
		for k, vs := range u.Query() {
			for _, v := range append(vs, k) {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("query %q let through", u.RawQuery)
				}
			}
		}
	})
}

// FuzzCanonicalUsername: the canonical form of a username is its own
// canonical form, and holds only the characters usernames may hold.
func FuzzCanonicalUsername(f *testing.F) {
	for _, s := range []string{"alice", "ALICE", "ａｌｉｃｅ", "hélène", "аlice", "a b", "ǅ", "ß", "Ⅻ", "ﬁle"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c, ok := canonicalUsername(name)
		if !ok {
			return
		}
		again, ok2 := canonicalUsername(c)
		if !ok2 || again != c {
			t.Fatalf("%q -> %q -> %q, %v", name, c, again, ok2)
		}
		if c == "" || len(c) > maxUsername || !utf8.ValidString(c) || !cleanText(c) {
			t.Fatalf("%q -> %q", name, c)
		}
	})
}

// FuzzClientAddr: whatever X-Forwarded-For says, behind a trusted proxy the
// client address is an IP address, never the header's text.
func FuzzClientAddr(f *testing.F) {
	for _, s := range []string{"203.0.113.5", "1.2.3.4, 10.0.0.1", "garbage", "::ffff:10.0.0.2, 198.51.100.1", ""} {
		f.Add(s)
	}
	s := &Server{cfg: Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	f.Fuzz(func(t *testing.T, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "10.1.2.3:4567"
		r.Header.Set("X-Forwarded-For", xff)
		if _, err := netip.ParseAddr(s.clientAddr(r)); err != nil {
			t.Fatalf("X-Forwarded-For %q gave %q", xff, s.clientAddr(r))
		}
	})
}

// TestBearerToken: the auth scheme is case-insensitive; other schemes are
// not a bearer token.
func TestBearerToken(t *testing.T) {
	for h, want := range map[string]string{"Bearer a.b": "a.b", "bearer a.b": "a.b", "BEARER  a.b ": "a.b"} {
		if got, ok := bearerToken(h); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", h, got, ok, want)
		}
	}
	for _, h := range []string{"", "Basic YTpi", "Bearera.b", "Bearer", "Bearer "} {
		if got, ok := bearerToken(h); ok {
			t.Errorf("%q read as bearer token %q", h, got)
		}
	}
}
