package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/homeshore/homeshore/server"
)

// api is a tiny JSON client for the tests.
type client struct {
	t     *testing.T
	base  string
	token string
	http  *http.Client
}

var keySeq atomic.Int64

// newKey returns a fresh Idempotency-Key.
func newKey() string { return fmt.Sprintf("k-%d", keySeq.Add(1)) }

type resp struct {
	Status int
	Body   []byte
}

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r resp) code() string {
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

func (a *client) raw(method, path string, body []byte, hdr map[string]string) resp {
	a.t.Helper()
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.base+path, bytes.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := a.http
	if c == nil {
		c = http.DefaultClient
	}
	res, err := c.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Body: b}
}

func (a *client) do(method, path string, in any, key string) resp {
	a.t.Helper()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			a.t.Fatal(err)
		}
	}
	hdr := map[string]string{}
	if key != "" {
		hdr["Idempotency-Key"] = key
	}
	return a.raw(method, path, body, hdr)
}

func (a *client) get(path string) resp { a.t.Helper(); return a.do("GET", path, nil, "") }

// must asserts the status and decodes the body into out (if not nil).
func must(t *testing.T, r resp, status int, out any) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if out != nil {
		r.decode(t, out)
	}
}

func login(t *testing.T, base, user string) *client {
	t.Helper()
	a := &client{t: t, base: base}
	var pair struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	must(t, a.do("POST", "/v1/auth/login", map[string]string{"username": user, "password": server.DemoPassword}, ""), 200, &pair)
	if pair.AccessToken == "" || pair.RefreshToken == "" {
		t.Fatalf("login of %s gave no tokens", user)
	}
	a.token = pair.AccessToken
	return a
}

func ticketIDs(ts []api.Ticket) string {
	var ids []string
	for _, t := range ts {
		ids = append(ids, t.ID)
	}
	return strings.Join(ids, ",")
}

func jsonDecode(b []byte, v any) error { return json.Unmarshal(b, v) }
