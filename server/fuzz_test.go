package server_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/homeshore/homeshore/server"
)

// FuzzWriteBodies: whatever a logged-in agent posts, the API answers with a
// status below 500 and stays up.
func FuzzWriteBodies(f *testing.F) {
	srv, err := server.New(f.Context(), server.Config{Driver: "sqlite", DSN: f.TempDir() + "/fuzz.db"})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	if err := srv.SeedDemo(f.Context()); err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/auth/login", bytes.NewReader([]byte(`{"username":"alice","password":"`+server.DemoPassword+`"}`))))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := jsonDecode(rec.Body.Bytes(), &tok); err != nil {
		f.Fatal(err)
	}
	paths := []string{"/v1/tickets", "/v1/tickets/demo-1/notes", "/v1/calls", "/v1/agent-events", "/v1/auth/login", "/v1/auth/refresh"}
	f.Add(uint8(0), []byte(`{"customer_name":"A","queue":"billing","phones":["+33 6 12 34 56 78"]}`))
	f.Add(uint8(1), []byte(`{"body":"hello"}`))
	f.Add(uint8(2), []byte(`{"call_id":"c1","direction":"inbound","number":"+12025550100","started_at":"2026-01-01T10:00:00Z","ended_at":"2026-01-01T10:01:00Z","disposition":"resolved"}`))
	f.Add(uint8(3), []byte(`{"id":"e","kind":"clock_in","at":"2026-01-01T10:00:00Z","precheck":{"passed":true,"report":{}}}`))
	f.Add(uint8(4), []byte(`{"username":"x","password":"y"}`))
	f.Add(uint8(5), []byte(`{"refresh_token":"zz"}`))
	n := 0
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		n++
		req := httptest.NewRequest("POST", paths[int(which)%len(paths)], bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Idempotency-Key", "fuzz-"+string(rune('a'+n%26))+string(body[:min(len(body), 40)]))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= http.StatusInternalServerError {
			t.Fatalf("%s %q: %d %s", req.URL.Path, body, rec.Code, rec.Body)
		}
	})
}
