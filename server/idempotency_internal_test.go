package server

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/server/api"
)

// TestIdempotencyStoresNoThread: the stored answer of a ticket edit leaves
// the ticket's notes out (a full thread is megabytes, stored again for every
// edit), and a replay of the edit carries the notes the caller sees now.
func TestIdempotencyStoresNoThread(t *testing.T) {
	srv, err := New(t.Context(), Config{Driver: "sqlite", DSN: t.TempDir() + "/i.db"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := srv.SeedDemo(t.Context()); err != nil {
		t.Fatal(err)
	}
	var token string
	call := func(method, path, key string, in any) (int, []byte) {
		b, _ := json.Marshal(in)
		req := httptest.NewRequest(method, path, bytes.NewReader(b))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Body.Bytes()
	}
	code, body := call("POST", "/v1/auth/login", "", api.Login{Username: DemoAgent, Password: DemoPassword})
	var tp tokenPair
	if err := json.Unmarshal(body, &tp); code != 200 || err != nil {
		t.Fatalf("login %d %s", code, body)
	}
	token = tp.AccessToken
	long := strings.Repeat("thread ", 2000)
	if code, body := call("POST", "/v1/tickets/demo-1/notes", "n1", api.NewNote{ID: "long-note", Body: long}); code != 201 {
		t.Fatalf("note %d %s", code, body)
	}
	var cur api.Ticket
	code, body = call("GET", "/v1/tickets/demo-1", "", nil)
	if err := json.Unmarshal(body, &cur); code != 200 || err != nil {
		t.Fatalf("get %d %s", code, body)
	}
	subject := "edited"
	patch := api.TicketPatch{Version: cur.Version, Subject: &subject}
	code, first := call("PATCH", "/v1/tickets/demo-1", "edit-1", patch)
	if code != 200 || !strings.Contains(string(first), long) {
		t.Fatalf("edit %d: the answer lacks the thread", code)
	}
	var stored string
	if err := srv.st.rdb.QueryRowContext(t.Context(), `SELECT body FROM idempotency WHERE idem_key = 'edit-1'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, "thread thread") || len(stored) > 2000 {
		t.Fatalf("the stored answer of an edit holds the thread (%d bytes)", len(stored))
	}
	// The replay: the same answer, and a note written since is in it.
	code, again := call("PATCH", "/v1/tickets/demo-1", "edit-1", patch)
	if code != 200 || string(again) != string(first) {
		t.Fatalf("replay %d differs:\n%s\nfirst:\n%.300s", code, again, first)
	}
	if code, body := call("POST", "/v1/tickets/demo-1/notes", "n2", api.NewNote{ID: "later", Body: "later"}); code != 201 {
		t.Fatalf("note %d %s", code, body)
	}
	code, again = call("PATCH", "/v1/tickets/demo-1", "edit-1", patch)
	var replay api.Ticket
	if err := json.Unmarshal(again, &replay); code != 200 || err != nil {
		t.Fatalf("replay %d %s", code, again)
	}
	ids := []string{}
	for _, n := range replay.Notes {
		ids = append(ids, n.ID)
	}
	if replay.Subject != "edited" || replay.Version != cur.Version+1 || !strings.Contains(strings.Join(ids, ","), "long-note") ||
		!strings.Contains(strings.Join(ids, ","), "later") {
		t.Fatalf("replay: subject %q version %d notes %v", replay.Subject, replay.Version, ids)
	}
}
