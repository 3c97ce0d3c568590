package server_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

// from returns a client whose connections leave from local address ip (any
// of 127.0.0.0/8 is loopback on Linux): another machine, as the server sees it.
func from(t *testing.T, base, ip string) *client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{t: t, base: base, http: &http.Client{Transport: tr}}
}

func tryLogin(c *client, user, password string, hdr map[string]string) int {
	c.t.Helper()
	return c.raw("POST", "/v1/auth/login", mustJSON(api.Login{Username: user, Password: password}), hdr).Status
}

// TestLoginLockout: wrong passwords sent from elsewhere cannot keep an
// agent out of their own account; a guessing attack spread over many
// addresses is still capped per account; every spelling of a username
// counts against the same account; behind a trusted proxy the client's
// address comes from X-Forwarded-For, and nobody else's X-Forwarded-For is
// believed.
func TestLoginLockout(t *testing.T) {
	p := startServer(t, "sqlite")
	attacker := from(t, p.URL, "127.0.0.2")
	for i := 0; i < server.DefaultLoginLimit; i++ {
		if s := tryLogin(attacker, "bob", fmt.Sprintf("guess-%d", i), nil); s != 401 {
			t.Fatalf("guess %d: %d", i, s)
		}
	}
	if s := tryLogin(attacker, "bob", server.DemoPassword, nil); s != 429 {
		t.Fatalf("the attacker's address after %d failures: %d, want 429", server.DefaultLoginLimit, s)
	}
	// Forging X-Forwarded-For gets the attacker nothing: no proxy is trusted.
	if s := tryLogin(attacker, "bob", "guess", map[string]string{"X-Forwarded-For": "203.0.113.9"}); s != 429 {
		t.Fatalf("with a forged X-Forwarded-For: %d, want 429", s)
	}
	// Other spellings of the name are the same account.
	for _, name := range []string{"BOB", "ｂｏｂ", "Bob"} {
		if s := tryLogin(attacker, name, "guess", nil); s != 429 {
			t.Errorf("login as %q from the attacker's address: %d, want 429", name, s)
		}
	}
	bob := from(t, p.URL, "127.0.0.1")
	if s := tryLogin(bob, "bob", server.DemoPassword, nil); s != 200 {
		t.Fatalf("bob from his own address while an attacker fails elsewhere: %d, want 200", s)
	}
	if s := tryLogin(bob, "BOB", server.DemoPassword, nil); s != 200 {
		t.Fatalf("bob typing BOB: %d, want 200", s)
	}

	// Spread over ten addresses, the account's own cap (ten times the
	// limit) is reached; then the account is closed for the window.
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := from(t, p.URL, fmt.Sprintf("127.0.1.%d", i+1))
			for j := 0; j < server.DefaultLoginLimit; j++ {
				for tryLogin(c, "alice", fmt.Sprintf("spread-%d-%d", i, j), nil) == 503 {
				}
			}
		}()
	}
	wg.Wait()
	if s := tryLogin(from(t, p.URL, "127.0.2.1"), "alice", "one-more", nil); s != 429 {
		t.Fatalf("after %d failures from ten addresses: %d, want 429", 10*server.DefaultLoginLimit, s)
	}
}

// TestLoginBehindProxy: with --trusted-proxy the limits count the client's
// address from X-Forwarded-For, so one attacker behind the load balancer
// cannot lock every agent out.
func TestLoginBehindProxy(t *testing.T) {
	p := startServer(t, "sqlite", "--trusted-proxy", "127.0.0.1/32,::1/128")
	lb := &client{t: t, base: p.URL}
	evil := map[string]string{"X-Forwarded-For": "198.51.100.66"}
	for i := 0; i < 10*server.DefaultLoginLimit; i++ {
		s := tryLogin(lb, fmt.Sprintf("nobody-%d", i), "guess", evil)
		if i < 10*server.DefaultLoginLimit && s != 401 && s != 429 {
			t.Fatalf("guess %d: %d", i, s)
		}
	}
	if s := tryLogin(lb, "bob", server.DemoPassword, evil); s != 429 {
		t.Fatalf("the attacker's address after spraying: %d, want 429", s)
	}
	// The attacker writes the header too: only the hop the proxy added counts.
	if s := tryLogin(lb, "bob", server.DemoPassword, map[string]string{"X-Forwarded-For": "192.0.2.1, 198.51.100.66"}); s != 429 {
		t.Fatalf("with a forged leftmost hop: %d, want 429", s)
	}
	if s := tryLogin(lb, "bob", server.DemoPassword, map[string]string{"X-Forwarded-For": "203.0.113.7"}); s != 200 {
		t.Fatalf("another client behind the proxy: %d, want 200", s)
	}
}

// TestUsernamesCanonical: usernames are one account whatever their case or
// width, lookalikes from other scripts and invisible characters are refused,
// and every endpoint that takes a username finds the account by any
// spelling.
func TestUsernamesCanonical(t *testing.T) {
	p := startServer(t, "sqlite")
	sam := login(t, p.URL, "sam")
	var u api.User
	must(t, sam.do("POST", "/v1/users", api.NewUser{Username: "Dave.Martin", Password: "dave-password", Role: api.RoleAgent,
		Queues: []string{"billing"}}, ""), 201, &u)
	if u.Username != "dave.martin" {
		t.Fatalf("username stored as %q, want dave.martin", u.Username)
	}
	for _, name := range []string{"DAVE.MARTIN", "ｄａｖｅ.ｍａｒｔｉｎ", "alice", "ALICE"} {
		if r := sam.do("POST", "/v1/users", api.NewUser{Username: name, Password: "long-enough", Role: api.RoleAgent}, ""); r.Status != 409 {
			t.Errorf("create %q: %d %s, want 409", name, r.Status, r.Body)
		}
	}
	for _, name := range []string{"аlice" /* Cyrillic а */, "bob\u200b", "a b", "a/b", "a\u202eb", "ǅ\u0301x\u0000", "ζeus", ""} {
		if r := sam.do("POST", "/v1/users", api.NewUser{Username: name, Password: "long-enough", Role: api.RoleAgent}, ""); r.Status != 400 {
			t.Errorf("create %q: %d %s, want 400", name, r.Status, r.Body)
		}
	}
	if r := sam.do("POST", "/v1/users", api.NewUser{Username: "eve", DisplayName: "Sam \u202eSupervisor", Password: "long-enough",
		Role: api.RoleAgent}, ""); r.Status != 400 {
		t.Errorf("a display name with a bidi override: %d %s, want 400", r.Status, r.Body)
	}
	must(t, sam.do("POST", "/v1/users", api.NewUser{Username: "hélène", Password: "long-enough", Role: api.RoleAgent,
		Queues: []string{"billing"}}, ""), 201, nil)
	for _, name := range []string{"Dave.Martin", "ｄａｖｅ.ｍａｒｔｉｎ"} {
		c := &client{t: t, base: p.URL}
		var pair api.TokenPair
		must(t, c.do("POST", "/v1/auth/login", api.Login{Username: name, Password: "dave-password"}, ""), 200, &pair)
		if pair.User.Username != "dave.martin" {
			t.Errorf("login as %q: user %q", name, pair.User.Username)
		}
	}
	if r := sam.do("POST", "/v1/messages", api.NewMessage{ID: "canon-1", To: "Dave.MARTIN", Body: "hi", SentAt: time.Now()}, newKey()); r.Status != 201 {
		t.Errorf("message to Dave.MARTIN: %d %s", r.Status, r.Body)
	}
	var g api.Grant
	must(t, sam.do("POST", "/v1/monitor/grants", api.GrantRequest{Agent: "ALICE", Mode: "listen"}, ""), 201, &g)
	alice := login(t, p.URL, "alice")
	sess := api.MonitorSession{ID: "canon-s", Supervisor: "sam", Agent: "Alice", CallID: "c", Mode: "listen", StartedAt: time.Now(),
		Modes: []api.ModeChange{}}
	must(t, alice.do("POST", "/v1/monitor/sessions", sess, ""), 201, nil)
	var list struct{ Sessions []api.MonitorSession }
	must(t, sam.get("/v1/monitor/sessions?agent=ALICE"), 200, &list)
	if len(list.Sessions) != 1 {
		t.Errorf("sessions of ALICE: %+v", list.Sessions)
	}
}

// TestHashFlood: forty logins at once, for unknown names from forty
// addresses (no rate limit applies: each is a first try), cost no more
// than a few password hashes of memory at a time (argon2id takes 19 MiB
// each: forty at once would be 760 MiB), and the API keeps answering.
func TestHashFlood(t *testing.T) {
	p := startServer(t, "sqlite")
	bob := login(t, p.URL, "bob")
	before := peakRSS(t, p.PID())
	const n = 40
	var wg sync.WaitGroup
	statuses := make(chan int, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := from(t, p.URL, fmt.Sprintf("127.0.4.%d", i+1))
			<-start
			statuses <- tryLogin(c, fmt.Sprintf("flood-%d", i), "some-password", nil)
		}()
	}
	close(start)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for served := 0; ; served++ {
		select {
		case <-done:
			close(statuses)
			for s := range statuses {
				if s != 401 && s != 503 {
					t.Errorf("a flood login: %d, want 401 (or 503 busy)", s)
				}
			}
			grew := peakRSS(t, p.PID()) - before
			t.Logf("API answered %d requests during the flood; peak memory grew %d MiB", served, grew>>20)
			if grew > 300<<20 {
				t.Fatalf("peak memory grew by %d MiB during %d parallel logins: hashing is not capped", grew>>20, n)
			}
			return
		default:
		}
		must(t, bob.get("/v1/me"), 200, nil)
	}
}

// peakRSS is the process's peak resident memory (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}
