package messages

import (
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

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
	dir := t.TempDir()
	s := &backendServer{t: t, addr: addr, dbPath: filepath.Join(dir, "server.db")}
	s.start()
	return s
}

func (s *backendServer) URL() string { return "http://" + s.addr }

func (s *backendServer) start() {
	s.t.Helper()
	s.proc = servertest.StartProcess(s.t, serverBin, servertest.Options{Addr: s.addr, DBPath: s.dbPath,
		Args: []string{"--demo", "--monitor-key", filepath.Join(filepath.Dir(s.dbPath), "monitor.key")}})
}

func (s *backendServer) kill() { s.proc.Kill() }

func loggedIn(t *testing.T, url, user string) *backend.HTTPBackend {
	t.Helper()
	b := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := b.Login(t.Context(), user, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	return b
}

// eventWait bounds a wait for a sync event on a loaded machine.
const eventWait = 30 * time.Second

func waitEvent[T Event](t *testing.T, events <-chan Event, match func(T) bool) T {
	t.Helper()
	timeout := time.After(eventWait)
	for {
		select {
		case e := <-events:
			if v, ok := e.(T); ok && match(v) {
				return v
			}
		case <-timeout:
			var zero T
			t.Fatalf("no %T event within %v", zero, eventWait)
			return zero
		}
	}
}

// TestSendReceiveHelp: the agent's client against a real server: messages
// both ways arrive once, the stream wakes the client, a help request taken
// by the supervisor is reported, read marks count.
func TestSendReceiveHelp(t *testing.T) {
	srv := newBackendServer(t)
	sam := loggedIn(t, srv.URL(), "sam")
	events := make(chan Event, 100)
	c, err := Open(filepath.Join(t.TempDir(), "msg.db"), NewHTTPBackend(loggedIn(t, srv.URL(), "alice")),
		Options{Me: "alice", MyName: "Alice Agent", Notify: func(e Event) { events <- e }, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	defer func() { cancel(); <-done; c.Close() }()

	sent, err := c.Send(t.Context(), "", "Can you listen to my next call?")
	if err != nil || !sent.Pending {
		t.Fatalf("send: %+v %v", sent, err)
	}
	d := waitEvent(t, events, func(e Delivered) bool { return e.Message.ID == sent.ID })
	if d.Message.Pending || d.Message.Seq == 0 || d.Message.FromName != "Alice Agent" {
		t.Fatalf("delivered: %+v", d.Message)
	}
	// The supervisor answers; the stream wakes the client (poll is an hour).
	in := api.NewMessage{ID: "sam-1", To: "alice", Body: "Yes, call me when it rings", SentAt: time.Now()}
	if err := sam.Do(t.Context(), "POST", "/v1/messages", "k-sam-1", in, nil); err != nil {
		t.Fatal(err)
	}
	r := waitEvent(t, events, func(e Received) bool { return e.Message.ID == "sam-1" })
	if r.Message.From != "sam" || r.Message.Read {
		t.Fatalf("received: %+v", r.Message)
	}
	if n, _ := c.Unread(t.Context()); n != 1 {
		t.Fatalf("unread %d", n)
	}
	if err := c.MarkRead(t.Context(), "sam-1"); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Unread(t.Context()); n != 0 {
		t.Fatalf("unread after mark %d", n)
	}
	h, err := c.Help(t.Context(), "Refund over my limit")
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, events, func(e Delivered) bool { return e.Message.ID == h.ID })
	if open, ok, _ := c.OpenHelp(t.Context()); !ok || open.ID != h.ID {
		t.Fatalf("open help: %+v %v", open, ok)
	}
	if err := sam.Do(t.Context(), "POST", "/v1/help/"+h.ID+"/take", "", nil, nil); err != nil {
		t.Fatal(err)
	}
	tk := waitEvent(t, events, func(e HelpTaken) bool { return e.Message.ID == h.ID })
	if tk.Message.TakenBy != "sam" || tk.Message.TakenByName != "Sam Supervisor" {
		t.Fatalf("taken: %+v", tk.Message)
	}
	if _, ok, _ := c.OpenHelp(t.Context()); ok {
		t.Fatal("help still open after it was taken")
	}
	// A send the server refuses for good (no such supervisor) is set aside.
	bad, _ := c.Send(t.Context(), "nobody", "hello?")
	ref := waitEvent(t, events, func(e Refused) bool { return e.ID == bad.ID })
	if ref.Reason == "" {
		t.Fatal("refusal without a reason")
	}
	list, _ := c.List(t.Context())
	if len(list) != 3 {
		t.Fatalf("store holds %d messages: %+v", len(list), list)
	}
	if _, err := c.Send(t.Context(), "", "   "); err == nil {
		t.Fatal("empty message accepted")
	}
}
