package server

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
)

// TestLoginHashesCapped: however many logins arrive at once, no more than
// MaxHashes argon2id hashes run together; the others wait their turn.
func TestLoginHashesCapped(t *testing.T) {
	srv, err := New(t.Context(), Config{Driver: "sqlite", DSN: t.TempDir() + "/h.db", MaxHashes: 2, LoginLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var wg sync.WaitGroup
	codes := make(chan int, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"username":"nobody-%d","password":"wrong-password"}`, i)
			req := httptest.NewRequest("POST", "/v1/auth/login", bytes.NewReader([]byte(body)))
			req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", i+1)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 401 {
			t.Fatalf("login answered %d, want 401", c)
		}
	}
	srv.hashes.mu.Lock()
	peak := srv.hashes.peak
	srv.hashes.mu.Unlock()
	if peak < 1 || peak > 2 {
		t.Fatalf("%d hashes ran at once, want 1 or 2", peak)
	}
}
