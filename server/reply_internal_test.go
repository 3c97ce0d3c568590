package server

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestReplyEncodesBeforeStatus: a value JSON cannot encode (here a time in
// year 10000, as rows stored before validation can hold) is a logged 500
// with an error body, never a 200 with an empty body.
func TestReplyEncodesBeforeStatus(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	rec := httptest.NewRecorder()
	s.reply(rec, httptest.NewRequest("GET", "/v1/calls", nil), 200, map[string]any{"at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) {
		t.Fatalf("answer %d %q", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "answer could not be encoded") {
		t.Fatalf("not logged: %s", logs.String())
	}
	rec = httptest.NewRecorder()
	s.reply(rec, httptest.NewRequest("GET", "/v1/calls", nil), 200, map[string]any{"ok": true})
	if rec.Code != 200 || rec.Body.String() != "{\"ok\":true}\n" {
		t.Fatalf("answer %d %q", rec.Code, rec.Body)
	}
}
