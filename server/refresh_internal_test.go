package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// TestRefreshTokenSpentAfterGrace: a spent refresh token works again only
// within RefreshGrace; an access token expires after AccessTTL.
func TestRefreshTokenSpentAfterGrace(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	srv, err := New(t.Context(), Config{Driver: "sqlite", DSN: t.TempDir() + "/r.db", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	post := func(path string, in any) (int, tokenPair) {
		b, _ := json.Marshal(in)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("POST", path, bytes.NewReader(b)))
		var tp tokenPair
		_ = json.Unmarshal(rec.Body.Bytes(), &tp)
		return rec.Code, tp
	}
	code, tp := post("/v1/auth/login", map[string]string{"username": DemoAgent, "password": DemoPassword})
	if code != 200 {
		t.Fatalf("login %d", code)
	}
	if code, _ := post("/v1/auth/refresh", map[string]string{"refresh_token": tp.RefreshToken}); code != 200 {
		t.Fatalf("refresh %d", code)
	}
	advance(RefreshGrace / 2)
	if code, _ := post("/v1/auth/refresh", map[string]string{"refresh_token": tp.RefreshToken}); code != 200 {
		t.Fatalf("retry within grace %d", code)
	}
	advance(RefreshGrace)
	if code, _ := post("/v1/auth/refresh", map[string]string{"refresh_token": tp.RefreshToken}); code != http.StatusUnauthorized {
		t.Fatalf("spent token after grace %d", code)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+tp.AccessToken)
	advance(DefaultAccessTTL)
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("expired access token: %d", rec.Code)
	}
}

// TestRefreshReuseRevokesSession: a refresh token spent longer than
// RefreshGrace ago and used again means two parties hold the session (a
// stolen token): the whole session ends, the branch the thief rotated into
// included, and its access tokens stop at once. A console session's tokens
// keep the console's lifetime when refreshed through the API.
func TestRefreshReuseRevokesSession(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	srv, err := New(t.Context(), Config{Driver: "sqlite", DSN: t.TempDir() + "/r.db", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token string, in any) (int, tokenPair) {
		b, _ := json.Marshal(in)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		srv.Handler().ServeHTTP(rec, req)
		var tp tokenPair
		_ = json.Unmarshal(rec.Body.Bytes(), &tp)
		return rec.Code, tp
	}
	_, stolen := do("POST", "/v1/auth/login", "", map[string]string{"username": DemoAgent, "password": DemoPassword})
	// The thief refreshes first and keeps rotating.
	code, thief := do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": stolen.RefreshToken})
	if code != 200 {
		t.Fatalf("thief's refresh %d", code)
	}
	advance(RefreshGrace + time.Second)
	if code, thief = do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": thief.RefreshToken}); code != 200 {
		t.Fatalf("thief's second refresh %d", code)
	}
	// The agent's app comes back with the token it had: reuse.
	if code, _ := do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": stolen.RefreshToken}); code != 401 {
		t.Fatalf("reused token: %d, want 401", code)
	}
	if code, _ := do("GET", "/v1/me", thief.AccessToken, nil); code != 401 {
		t.Fatalf("the thief's access token after the reuse: %d, want 401", code)
	}
	if code, _ := do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": thief.RefreshToken}); code != 401 {
		t.Fatalf("the thief's refresh token after the reuse: %d, want 401", code)
	}
	// Logging in again starts a fresh session.
	code, fresh := do("POST", "/v1/auth/login", "", map[string]string{"username": DemoAgent, "password": DemoPassword})
	if c2, _ := do("GET", "/v1/me", fresh.AccessToken, nil); code != 200 || c2 != 200 {
		t.Fatalf("login after the reuse: %d %d", code, c2)
	}

	// A console refresh token traded at /v1/auth/refresh stays a 12 h token.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/v1/console/login", bytes.NewReader([]byte(`{"username":"sam","password":"`+DemoPassword+`"}`)))
	req.Header.Set(consoleHeader, "1")
	srv.Handler().ServeHTTP(rec, req)
	var console string
	for _, c := range rec.Result().Cookies() {
		if c.Name == refreshCookie {
			console = c.Value
		}
	}
	code, api := do("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": console})
	if code != 200 {
		t.Fatalf("console token at /v1/auth/refresh: %d", code)
	}
	var exp int64
	if err := srv.st.rdb.QueryRow(`SELECT expires_at FROM refresh_tokens WHERE token_hash = $1`, hashToken(api.RefreshToken)).Scan(&exp); err != nil {
		t.Fatal(err)
	}
	if got := time.UnixMilli(exp).Sub(clock()); got != ConsoleSessionTTL {
		t.Fatalf("a console session refreshed through the API lasts %v, want %v", got, ConsoleSessionTTL)
	}
}
