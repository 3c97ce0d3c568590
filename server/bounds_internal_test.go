package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// TestThreadAndPageBounds: one agent appending notes without end cannot
// make a ticket, a sync page or a screen-pop bigger than a client reads
// (every colleague's app would then fail to sync, for ever): a thread is
// capped (a call's note is then skipped, the call still logged), and pages
// stop at their byte budget and go on from there.
func TestThreadAndPageBounds(t *testing.T) {
	srv, err := New(t.Context(), Config{Driver: "sqlite", DSN: t.TempDir() + "/b.db", MaxNotes: 5, PageBytes: 20000})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token string, in any) (int, []byte) {
		b, _ := json.Marshal(in)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		req.Header.Set("Idempotency-Key", fmt.Sprintf("k-%d", time.Now().UnixNano()))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	_, b := do("POST", "/v1/auth/login", "", api.Login{Username: DemoAgent, Password: DemoPassword})
	var tp api.TokenPair
	_ = json.Unmarshal(b, &tp)
	tok := tp.AccessToken
	big := strings.Repeat("n", 4000)
	for i := 0; i < 8; i++ {
		id := fmt.Sprintf("bound-%d", i)
		if code, b := do("POST", "/v1/tickets", tok, api.NewTicket{ID: id, CustomerName: "B", Queue: "billing", Phones: []string{"+12025550177"}}); code != 201 {
			t.Fatalf("ticket %d: %d %s", i, code, b)
		}
		for j := 0; j < 2; j++ {
			if code, b := do("POST", "/v1/tickets/"+id+"/notes", tok, api.NewNote{ID: fmt.Sprintf("%s-n%d", id, j), Body: big}); code != 201 {
				t.Fatalf("note: %d %s", code, b)
			}
		}
	}
	// The thread cap.
	for j := 2; j < 5; j++ {
		if code, b := do("POST", "/v1/tickets/bound-0/notes", tok, api.NewNote{ID: fmt.Sprintf("bound-0-n%d", j), Body: "x"}); code != 201 {
			t.Fatalf("note %d: %d %s", j, code, b)
		}
	}
	if code, b := do("POST", "/v1/tickets/bound-0/notes", tok, api.NewNote{ID: "bound-0-n5", Body: "x"}); code != 409 || !strings.Contains(string(b), "thread_full") {
		t.Fatalf("note past the cap: %d %s", code, b)
	}
	if code, b := do("POST", "/v1/tickets/bound-0/notes", tok, api.NewNote{ID: "bound-0-n1", Body: big}); code != 200 {
		t.Fatalf("a resent note of a full thread: %d %s", code, b)
	}
	now := time.Now().UTC()
	call := api.CallLog{CallID: "bound-call", Direction: api.Inbound, Number: "+12025550177", StartedAt: now.Add(-time.Minute), EndedAt: now,
		Disposition: "resolved", TicketID: "bound-0", Note: "call note"}
	if code, b := do("POST", "/v1/calls", tok, call); code != 201 {
		t.Fatalf("a call on a full thread: %d %s", code, b)
	}
	// Sync pages within budget, every ticket once.
	seen := map[string]int{}
	cursor := ""
	for pages := 0; ; pages++ {
		code, b := do("GET", "/v1/sync?limit=1000&cursor="+cursor, tok, nil)
		var page api.SyncPage
		if code != 200 || json.Unmarshal(b, &page) != nil {
			t.Fatalf("sync: %d %s", code, b)
		}
		if len(page.Tickets) > 1 && len(b) > 20000+8000 {
			t.Fatalf("a page of %d tickets is %d bytes, budget 20000", len(page.Tickets), len(b))
		}
		for _, tk := range page.Tickets {
			seen[tk.ID]++
		}
		cursor = page.NextCursor
		if !page.More {
			break
		}
		if pages > 50 {
			t.Fatal("sync does not end")
		}
	}
	for i := 0; i < 8; i++ {
		if id := fmt.Sprintf("bound-%d", i); seen[id] != 1 {
			t.Errorf("ticket %s synced %d times", id, seen[id])
		}
	}
	code, b := do("GET", "/v1/tickets?phone=%2B12025550177", tok, nil)
	var look api.Lookup
	if code != 200 || json.Unmarshal(b, &look) != nil || len(look.Tickets) == 0 || len(look.Tickets) == 8 || len(b) > 20000+8000 {
		t.Fatalf("screen-pop: %d, %d tickets, %d bytes", code, len(look.Tickets), len(b))
	}
}

// TestThreadByteCap: a thread is capped in bytes of note text too, so a few
// hundred long notes cannot make a ticket that every edit and read returns
// whole at tens of MiB; a note resent after the cap is still answered.
func TestThreadByteCap(t *testing.T) {
	srv, err := New(t.Context(), Config{Driver: "sqlite", DSN: t.TempDir() + "/c.db", MaxThreadBytes: 10000})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	do := func(method, path, token, key string, in any) (int, []byte) {
		b, _ := json.Marshal(in)
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		req.Header.Set("Idempotency-Key", key)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	_, b := do("POST", "/v1/auth/login", "", "", api.Login{Username: DemoAgent, Password: DemoPassword})
	var tp api.TokenPair
	_ = json.Unmarshal(b, &tp)
	tok := tp.AccessToken
	if code, b := do("POST", "/v1/tickets", tok, "t", api.NewTicket{ID: "bytes", CustomerName: "B", Queue: "billing"}); code != 201 {
		t.Fatalf("ticket: %d %s", code, b)
	}
	// Multi-byte text counts in bytes: 2000 "é" are 4000 bytes.
	note := strings.Repeat("é", 2000)
	for j := 0; j < 2; j++ {
		if code, b := do("POST", "/v1/tickets/bytes/notes", tok, fmt.Sprint("n", j), api.NewNote{ID: fmt.Sprint("bytes-", j), Body: note}); code != 201 {
			t.Fatalf("note %d: %d %s", j, code, b)
		}
	}
	code, b := do("POST", "/v1/tickets/bytes/notes", tok, "n2", api.NewNote{ID: "bytes-2", Body: note})
	if code != 409 || !strings.Contains(string(b), "thread_full") {
		t.Fatalf("a note past 10 000 bytes of thread: %d %s, want 409 thread_full", code, b)
	}
	if code, b := do("POST", "/v1/tickets/bytes/notes", tok, "n0-again", api.NewNote{ID: "bytes-0", Body: note}); code != 200 {
		t.Fatalf("a resent note on a full thread: %d %s, want 200", code, b)
	}
	if code, b := do("POST", "/v1/tickets/bytes/notes", tok, "n3", api.NewNote{ID: "bytes-3", Body: "short"}); code != 201 {
		t.Fatalf("a short note that fits: %d %s", code, b)
	}
}
