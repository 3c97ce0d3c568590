package server_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// TestSessionsEnd: a logout ends the session's access token at once, not 15
// minutes later, and its refresh token; "all" ends every login of the
// account; a console logout kills the session cookie's token even if it was
// copied; open event streams end with "reauth". On both databases.
func TestSessionsEnd(t *testing.T) {
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, kind)
			laptop, pairA := loginPair(t, p.URL, "alice")
			desk, pairB := loginPair(t, p.URL, "alice")
			stream := openLineStream(t, p.URL, pairA.AccessToken)
			must(t, laptop.do("POST", "/v1/auth/logout", nil, ""), 204, nil)
			if r := laptop.get("/v1/me"); r.Status != 401 {
				t.Fatalf("access token after logout: %d, want 401", r.Status)
			}
			if r := laptop.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": pairA.RefreshToken}, ""); r.Status != 401 {
				t.Fatalf("refresh token after logout: %d, want 401", r.Status)
			}
			stream.wantReauth(t)
			must(t, desk.get("/v1/me"), 200, nil)
			// Log out everywhere (a lost laptop): the other login ends too.
			_, pairC := loginPair(t, p.URL, "alice")
			other := &client{t: t, base: p.URL, token: pairC.AccessToken}
			must(t, other.do("POST", "/v1/auth/logout", map[string]bool{"all": true}, ""), 204, nil)
			if r := desk.get("/v1/me"); r.Status != 401 {
				t.Fatalf("another login after logout all: %d, want 401", r.Status)
			}
			if r := desk.do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": pairB.RefreshToken}, ""); r.Status != 401 {
				t.Fatalf("another login's refresh token after logout all: %d, want 401", r.Status)
			}
			must(t, login(t, p.URL, "alice").get("/v1/me"), 200, nil)

			// The console: a copied session cookie dies with the logout.
			hc := browserish(t)
			console := map[string]string{"X-Homeshore-Console": "1", "Content-Type": "application/json"}
			res, _ := send(t, hc, "POST", p.URL+"/v1/console/login", api.Login{Username: "sam", Password: server.DemoPassword}, console)
			if res.StatusCode != 200 {
				t.Fatalf("console login: %d", res.StatusCode)
			}
			u, _ := url.Parse(p.URL + "/")
			var copied string
			for _, c := range hc.Jar.Cookies(u) {
				if c.Name == "hs_session" {
					copied = c.Value
				}
			}
			cs := openStreamCookie(t, p.URL, copied)
			if res, _ := send(t, hc, "POST", p.URL+"/v1/console/logout", nil, console); res.StatusCode != 204 {
				t.Fatalf("console logout: %d", res.StatusCode)
			}
			req, _ := http.NewRequest("GET", p.URL+"/v1/live/agents", nil)
			req.AddCookie(&http.Cookie{Name: "hs_session", Value: copied})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 401 {
				t.Fatalf("a copied console cookie after logout: %d, want 401", res.StatusCode)
			}
			cs.wantReauth(t)
		})
	}
}

func loginPair(t *testing.T, base, user string) (*client, api.TokenPair) {
	t.Helper()
	c := &client{t: t, base: base}
	var pair api.TokenPair
	must(t, c.do("POST", "/v1/auth/login", api.Login{Username: user, Password: server.DemoPassword}, ""), 200, &pair)
	c.token = pair.AccessToken
	return c, pair
}

// eventStream is an open /v1/live/stream read line by line.
type eventStream struct {
	lines chan string
}

func openLineStream(t *testing.T, base, token string) *eventStream {
	req, _ := http.NewRequest("GET", base+"/v1/live/stream", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return startStream(t, req)
}

func openStreamCookie(t *testing.T, base, cookie string) *eventStream {
	req, _ := http.NewRequest("GET", base+"/v1/live/stream", nil)
	req.AddCookie(&http.Cookie{Name: "hs_session", Value: cookie})
	return startStream(t, req)
}

func startStream(t *testing.T, req *http.Request) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		t.Fatalf("stream: %d", res.StatusCode)
	}
	es := &eventStream{lines: make(chan string, 64)}
	go func() {
		defer res.Body.Close()
		defer close(es.lines)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			es.lines <- sc.Text()
		}
	}()
	// The first event (snapshot or ready) says the stream is subscribed.
	for l := range es.lines {
		if strings.HasPrefix(l, "event: ") {
			return es
		}
	}
	t.Fatal("the stream ended before its first event")
	return nil
}

// wantReauth waits for the stream to say "reauth" and end.
func (es *eventStream) wantReauth(t *testing.T) {
	t.Helper()
	timeout := time.After(30 * time.Second)
	reauth := false
	for {
		select {
		case l, ok := <-es.lines:
			if !ok {
				if !reauth {
					t.Fatal("the stream ended without reauth")
				}
				return
			}
			reauth = reauth || l == "event: reauth"
		case <-timeout:
			t.Fatal("the stream of an ended session is still open after 30 s")
		}
	}
}

// TestLogoutAcrossReplicas: two server processes on one PostgreSQL, behind
// a load balancer. A logout on one ends the session's stream on the other
// (reauth), and the other refuses the token from then on.
func TestLogoutAcrossReplicas(t *testing.T) {
	dsn := newPgDatabase(t)
	args := []string{"--demo", "--monitor-key", t.TempDir() + "/monitor.key"}
	a := servertest.StartProcess(t, serverBin, servertest.Options{PgDSN: dsn, Args: args})
	b := servertest.StartProcess(t, serverBin, servertest.Options{PgDSN: dsn, Args: args})
	onA, pair := loginPair(t, a.URL, "alice")
	onB := &client{t: t, base: b.URL, token: pair.AccessToken}
	must(t, onB.get("/v1/me"), 200, nil)
	stream := openLineStream(t, b.URL, pair.AccessToken)
	must(t, onA.do("POST", "/v1/auth/logout", nil, ""), 204, nil)
	stream.wantReauth(t)
	if r := onB.get("/v1/me"); r.Status != 401 {
		t.Fatalf("the other replica after the logout: %d, want 401", r.Status)
	}
}
