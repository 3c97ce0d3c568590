package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

type consoleSession struct {
	User      api.User `json:"user"`
	CSRF      string   `json:"csrf"`
	ExpiresIn int64    `json:"expires_in"`
}

// browserish is an HTTP client with a cookie jar, like the console's page.
func browserish(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func send(t *testing.T, hc *http.Client, method, u string, body any, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, r)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// TestConsoleSessions: the console's files come with a strict CSP; its
// session lives in HttpOnly SameSite=Strict cookies, only for supervisors;
// writes need the CSRF token; refresh rotates; logout ends it for good.
func TestConsoleSessions(t *testing.T) {
	p := startServer(t, "sqlite")
	hc := browserish(t)
	res, body := send(t, hc, "GET", p.URL+"/console/", nil, nil)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.Contains(string(body), `<script type="module" src="js/main.js">`) ||
		!strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		res.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("console page: %d %v", res.StatusCode, res.Header)
	}
	if strings.Contains(string(body), "<script>") || strings.Contains(string(body), " style=") || strings.Contains(string(body), " onclick=") {
		t.Fatal("the console page holds inline script or style")
	}
	if res, _ := send(t, hc, "GET", p.URL+"/console/js/main.js", nil, nil); res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("main.js: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, _ := send(t, hc, "GET", p.URL+"/console", nil, nil); res.StatusCode != http.StatusMovedPermanently {
		t.Fatalf("/console: %d", res.StatusCode)
	}
	console := map[string]string{"X-Homeshore-Console": "1", "Content-Type": "application/json"}
	sam := api.Login{Username: "sam", Password: server.DemoPassword}
	if res, _ := send(t, hc, "POST", p.URL+"/v1/console/login", sam, nil); res.StatusCode != 403 {
		t.Fatalf("login without the console header: %d", res.StatusCode)
	}
	res, _ = send(t, hc, "POST", p.URL+"/v1/console/login", api.Login{Username: "alice", Password: server.DemoPassword}, console)
	if res.StatusCode != 403 || len(res.Cookies()) != 0 {
		t.Fatalf("agent login: %d, cookies %v", res.StatusCode, res.Cookies())
	}
	res, body = send(t, hc, "POST", p.URL+"/v1/console/login", sam, console)
	var s consoleSession
	if res.StatusCode != 200 || json.Unmarshal(body, &s) != nil || s.CSRF == "" || s.User.Username != "sam" || s.ExpiresIn <= 0 {
		t.Fatalf("supervisor login: %d %s", res.StatusCode, body)
	}
	cookies := map[string]*http.Cookie{}
	for _, c := range res.Cookies() {
		cookies[c.Name] = c
	}
	sess, ref := cookies["hs_session"], cookies["hs_refresh"]
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" || sess.MaxAge <= 0 ||
		ref == nil || !ref.HttpOnly || ref.SameSite != http.SameSiteStrictMode || ref.Path != "/v1/console/" {
		t.Fatalf("cookies %+v %+v", sess, ref)
	}
	if strings.Contains(string(body), sess.Value) || strings.Contains(string(body), ref.Value) {
		t.Fatal("the tokens are readable by the page")
	}
	if res, _ := send(t, hc, "GET", p.URL+"/v1/live/agents", nil, nil); res.StatusCode != 200 {
		t.Fatalf("board with the session cookie: %d", res.StatusCode)
	}
	msg := api.NewMessage{ID: "c-1", To: "alice", Body: "hi", SentAt: time.Now()}
	if res, _ := send(t, hc, "POST", p.URL+"/v1/messages", msg, map[string]string{"Idempotency-Key": "c-1"}); res.StatusCode != 403 {
		t.Fatalf("write without CSRF token: %d", res.StatusCode)
	}
	if res, _ := send(t, hc, "POST", p.URL+"/v1/messages", msg, map[string]string{"Idempotency-Key": "c-1", "X-CSRF-Token": "forged"}); res.StatusCode != 403 {
		t.Fatalf("write with a forged CSRF token: %d", res.StatusCode)
	}
	if res, b := send(t, hc, "POST", p.URL+"/v1/messages", msg, map[string]string{"Idempotency-Key": "c-1", "X-CSRF-Token": s.CSRF}); res.StatusCode != 201 {
		t.Fatalf("write with the CSRF token: %d %s", res.StatusCode, b)
	}
	// A reload learns the same CSRF token from the cookie.
	var again consoleSession
	res, body = send(t, hc, "GET", p.URL+"/v1/console/session", nil, nil)
	if res.StatusCode != 200 || json.Unmarshal(body, &again) != nil || again.CSRF != s.CSRF {
		t.Fatalf("session: %d %s", res.StatusCode, body)
	}
	// Refresh rotates both cookies and the CSRF token.
	res, body = send(t, hc, "POST", p.URL+"/v1/console/refresh", nil, console)
	var fresh consoleSession
	if res.StatusCode != 200 || json.Unmarshal(body, &fresh) != nil || fresh.CSRF == s.CSRF || len(res.Cookies()) != 2 {
		t.Fatalf("refresh: %d %s", res.StatusCode, body)
	}
	// An agent's token in the session cookie is no console session.
	alice := login(t, p.URL, "alice")
	forged := &http.Client{}
	req, _ := http.NewRequest("GET", p.URL+"/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "hs_session", Value: alice.token})
	if res, err := forged.Do(req); err != nil || res.StatusCode != 401 {
		t.Fatalf("agent token as console cookie: %v %v", res.StatusCode, err)
	}
	// Logout: cookies cleared, the refresh token dead.
	u, _ := url.Parse(p.URL + "/v1/console/")
	oldRefresh := ""
	for _, c := range hc.Jar.Cookies(u) {
		if c.Name == "hs_refresh" {
			oldRefresh = c.Value
		}
	}
	if res, _ := send(t, hc, "POST", p.URL+"/v1/console/logout", nil, console); res.StatusCode != 204 {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res, _ := send(t, hc, "GET", p.URL+"/v1/live/agents", nil, nil); res.StatusCode != 401 {
		t.Fatalf("after logout: %d", res.StatusCode)
	}
	replay := &http.Client{}
	req, _ = http.NewRequest("POST", p.URL+"/v1/console/refresh", nil)
	req.Header.Set("X-Homeshore-Console", "1")
	req.AddCookie(&http.Cookie{Name: "hs_refresh", Value: oldRefresh})
	if res, err := replay.Do(req); err != nil || res.StatusCode != 401 {
		t.Fatalf("refresh after logout: %v %v", res.StatusCode, err)
	}
}
