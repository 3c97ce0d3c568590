package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// backendServer is a real homeshore-server process on a fixed port and
// database file, so a test can kill it and start it again.
type backendServer struct {
	t      *testing.T
	addr   string
	dbPath string
	proc   *servertest.Process
}

func newBackendServer(t *testing.T) *backendServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &backendServer{t: t, addr: addr, dbPath: filepath.Join(t.TempDir(), "server.db")}
	s.start()
	return s
}

func (s *backendServer) URL() string { return "http://" + s.addr }

func (s *backendServer) start() {
	s.t.Helper()
	s.proc = servertest.StartProcess(s.t, serverBin, servertest.Options{Addr: s.addr, DBPath: s.dbPath, Args: []string{"--demo"}})
}

func (s *backendServer) kill() { s.proc.Kill() }

// loggedIn returns an backend.HTTPBackend logged in as user.
func loggedIn(t *testing.T, url, user string) *backend.HTTPBackend {
	t.Helper()
	b := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := b.Login(t.Context(), user, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	return b
}

func openClient(t *testing.T, be Backend, opt Options) *Client {
	t.Helper()
	c, err := Open(filepath.Join(t.TempDir(), "tickets.db"), be, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// runLoop starts c.Run and stops it when the test ends.
func runLoop(t *testing.T, c *Client) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// notices collects Notify calls.
type notices struct {
	mu   sync.Mutex
	list []Notice
	ch   chan Notice
}

func newNotices() *notices { return &notices{ch: make(chan Notice, 100)} }

func (n *notices) notify(x Notice) {
	n.mu.Lock()
	n.list = append(n.list, x)
	n.mu.Unlock()
	select {
	case n.ch <- x:
	default:
	}
}

// serverView reads what the server holds, as the supervisor.
type serverView struct {
	t  *testing.T
	be *backend.HTTPBackend
}

func (v serverView) get(path string, out any) {
	v.t.Helper()
	if err := v.be.Do(v.t.Context(), "GET", path, "", nil, out); err != nil {
		v.t.Fatalf("GET %s: %v", path, err)
	}
}

func (v serverView) ticket(id string) api.Ticket {
	v.t.Helper()
	var t api.Ticket
	v.get("/v1/tickets/"+id, &t)
	return t
}

// calls returns the server's call logs of agent over the last day.
func (v serverView) calls(agentID string) []api.CallLog {
	v.t.Helper()
	var out struct {
		Calls []api.CallLog `json:"calls"`
	}
	v.get("/v1/calls?agent_id="+agentID, &out)
	return out.Calls
}

func (v serverView) userID(name string, be *backend.HTTPBackend) string {
	v.t.Helper()
	var u api.User
	if err := be.Do(v.t.Context(), "GET", "/v1/me", "", nil, &u); err != nil {
		v.t.Fatal(err)
	}
	if u.Username != name {
		v.t.Fatalf("logged in as %s, want %s", u.Username, name)
	}
	return u.ID
}

// countBodies counts notes per body text.
func countBodies(notes []api.Note) map[string]int {
	m := map[string]int{}
	for _, n := range notes {
		m[n.Body]++
	}
	return m
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// exactlyOnce fails unless every want string occurs once in got.
func exactlyOnce(t *testing.T, what string, got map[string]int, want []string) {
	t.Helper()
	for _, w := range want {
		if got[w] != 1 {
			t.Errorf("%s %q on the server %d times, want once", what, w, got[w])
		}
	}
}

func callNumbers(n int, prefix string) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("%s-%d", prefix, i))
	}
	return out
}
