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
