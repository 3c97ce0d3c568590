package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server/api"

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
	paths := []string{"POST /v1/tickets", "POST /v1/tickets/demo-1/notes", "POST /v1/calls", "POST /v1/agent-events", "POST /v1/auth/login",
		"POST /v1/auth/refresh", "PUT /v1/live/status", "POST /v1/messages", "POST /v1/help", "POST /v1/monitor/sessions",
		"POST /v1/monitor/grants", "POST /v1/console/login"}
	f.Add(uint8(0), []byte(`{"customer_name":"A","queue":"billing","phones":["+33 6 12 34 56 78"]}`))
	f.Add(uint8(1), []byte(`{"body":"hello"}`))
	f.Add(uint8(2), []byte(`{"call_id":"c1","direction":"inbound","number":"+12025550100","started_at":"2026-01-01T10:00:00Z","ended_at":"2026-01-01T10:01:00Z","disposition":"resolved"}`))
	f.Add(uint8(3), []byte(`{"id":"e","kind":"clock_in","at":"2026-01-01T10:00:00Z","precheck":{"passed":true,"report":{}}}`))
	f.Add(uint8(4), []byte(`{"username":"x","password":"y"}`))
	f.Add(uint8(5), []byte(`{"refresh_token":"zz"}`))
	f.Add(uint8(6), []byte(`{"at":"2026-01-01T10:00:00Z","state":"on_call","state_since":"2026-01-01T09:59:00Z","sip_uri":"sip:a@b",
"call":{"id":"c1","direction":"inbound","number":"+33612345678","started_at":"2026-01-01T09:58:00Z","quality":{"mos":4.1}}}`))
	f.Add(uint8(7), []byte(`{"id":"m1","to":"sam","body":"hello","sent_at":"2026-01-01T10:00:00Z"}`))
	f.Add(uint8(8), []byte(`{"id":"h1","body":"help","sent_at":"2026-01-01T10:00:00Z"}`))
	f.Add(uint8(9), []byte(`{"id":"s1","supervisor":"sam","agent":"alice","call_id":"c1","mode":"listen","started_at":"2026-01-01T10:00:00Z","ended_at":null,"modes":[{"mode":"listen","at":"2026-01-01T10:00:00Z"}]}`))
	f.Add(uint8(10), []byte(`{"agent":"alice","mode":"listen"}`))
	f.Add(uint8(11), []byte(`{"username":"sam","password":"x"}`))
	n := 0
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		n++
		method, path, _ := strings.Cut(paths[int(which)%len(paths)], " ")
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("X-Homeshore-Console", "1")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Idempotency-Key", "fuzz-"+string(rune('a'+n%26))+string(body[:min(len(body), 40)]))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= http.StatusInternalServerError {
			t.Fatalf("%s %q: %d %s", req.URL.Path, body, rec.Code, rec.Body)
		}
	})
}

// fuzzServer is an in-process server with demo data and alice's token.
func fuzzServer(f *testing.F) (http.Handler, string) {
	srv, err := server.New(f.Context(), server.Config{Driver: "sqlite", DSN: f.TempDir() + "/fuzz.db"})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
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
	return h, tok.AccessToken
}

func fuzzDo(h http.Handler, tok, method, target string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/", bytes.NewReader(body))
	req.URL.RawPath, req.RequestURI = "", target
	u, err := url.ParseRequestURI(target)
	if err != nil {
		panic(err)
	}
	req.URL = u
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Idempotency-Key", fmt.Sprintf("fuzz-%d", fuzzKeys.Add(1)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var fuzzKeys atomic.Int64

// FuzzTicketIDRoundTrip: any ticket id the API accepts can be read back at
// /v1/tickets/{id} (escaped as a client escapes a path segment).
func FuzzTicketIDRoundTrip(f *testing.F) {
	h, tok := fuzzServer(f)
	for _, id := range []string{"a", ".", "..", "a.b", "x/y", "%2e", "a:b", "-", "é", " a", "a\x00"} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		body, _ := json.Marshal(api.NewTicket{ID: id, CustomerName: "Fuzz", Queue: "billing"})
		rec := fuzzDo(h, tok, "POST", "/v1/tickets", body)
		switch {
		case rec.Code >= 500:
			t.Fatalf("create %q: %d %s", id, rec.Code, rec.Body)
		case rec.Code != http.StatusCreated && rec.Code != http.StatusOK:
			return
		}
		if id == "" { // the server chose one
			var made api.Ticket
			_ = json.Unmarshal(rec.Body.Bytes(), &made)
			id = made.ID
		}
		got := fuzzDo(h, tok, "GET", "/v1/tickets/"+url.PathEscape(id), nil)
		var tk api.Ticket
		if got.Code != 200 || json.Unmarshal(got.Body.Bytes(), &tk) != nil || tk.ID != id {
			t.Fatalf("ticket %q accepted but read back as %d %s", id, got.Code, got.Body)
		}
	})
}

// FuzzTimes: whatever time text a client sends, the API answers 4xx or
// stores a UTC time in range that every list then shows as valid JSON.
func FuzzTimes(f *testing.F) {
	h, tok := fuzzServer(f)
	for _, s := range []string{"2026-01-01T10:00:00Z", "2026-01-01T10:00:00+24:00", "9999-12-31T23:00:00-23:00",
		"0000-01-01T00:30:00+01:00", "2026-02-30T10:00:00Z", "2026-01-01T10:00:00.999999999-00:01", "2026-01-01 10:00:00Z"} {
		f.Add(s)
	}
	n := 0
	f.Fuzz(func(t *testing.T, at string) {
		n++
		body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("fz-%d", n), "kind": "state", "state": "available", "at": at})
		rec := fuzzDo(h, tok, "POST", "/v1/agent-events", body)
		if rec.Code >= 500 {
			t.Fatalf("event at %q: %d %s", at, rec.Code, rec.Body)
		}
		if rec.Code == http.StatusCreated {
			var e api.AgentEvent
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.At.Location() != time.UTC || e.At.Year() < 1970 || e.At.Year() >= 2200 {
				t.Fatalf("event at %q stored as %s (%v)", at, rec.Body, err)
			}
		}
		for _, path := range []string{"/v1/shifts?from=", "/v1/calls?to="} {
			rec := fuzzDo(h, tok, "GET", path+url.QueryEscape(at), nil)
			if rec.Code >= 500 || (rec.Code == 200 && !json.Valid(rec.Body.Bytes())) {
				t.Fatalf("GET %s%q: %d %s", path, at, rec.Code, rec.Body)
			}
		}
	})
}
