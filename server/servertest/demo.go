package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/homeshore/homeshore/server/api"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/homeshore/homeshore/server"
)

// StartDemo runs the reference ticket server in process (SQLite, demo seed)
// on 127.0.0.1 until the test ends, and returns its base URL.
func StartDemo(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	srv, err := server.New(ctx, server.Config{Driver: "sqlite", DSN: filepath.Join(dir, "tickets.db"),
		MonitorKeyFile: filepath.Join(dir, "monitor.key")})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs.URL
}

// AgentCalls logs in as the demo agent and lists the calls the server holds.
func AgentCalls(t testing.TB, url string) []api.CallLog {
	t.Helper()
	var out struct {
		Calls []api.CallLog `json:"calls"`
	}
	agentGet(t, url, "/v1/calls", &out)
	return out.Calls
}

// AgentShifts logs in as the demo agent and lists their shifts.
func AgentShifts(t testing.TB, url string) []api.Shift {
	t.Helper()
	var out struct {
		Shifts []api.Shift `json:"shifts"`
	}
	agentGet(t, url, "/v1/shifts", &out)
	return out.Shifts
}

// agentGet logs in as the demo agent and decodes GET path into out.
func agentGet(t testing.TB, url, path string, out any) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": server.DemoAgent, "password": server.DemoPassword})
	res, err := http.Post(url+"/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("login as the demo agent: %v (status %d)", err, res.StatusCode)
	}
	req, _ := http.NewRequest("GET", url+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
