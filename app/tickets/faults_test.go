package tickets

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/server"
)

// The test binary re-executes itself as a sync helper (a stand-in for the
// app) when helperEnv is set, so a test can SIGKILL it mid-sync.
const helperEnv = "HOMESHORE_TICKETS_HELPER"

// runHelper: log in as alice, optionally queue N notes and N call logs on
// demo-1, then sync until the outbox is empty and print "done". Each
// confirmed delivery prints "delivered KIND".
func runHelper() int {
	ctx := context.Background()
	url, db := os.Getenv("HS_URL"), os.Getenv("HS_DB")
	n, _ := strconv.Atoi(os.Getenv("HS_N"))
	be := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := be.Login(ctx, "alice", server.DemoPassword); err != nil {
		fmt.Println("error", err)
		return 1
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	say := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintln(out, s)
		out.Flush()
	}
	c, err := Open(db, be, Options{AgentName: "Alice Agent", Delivered: func(kind string) { say("delivered " + kind) }})
	if err != nil {
		say("error " + err.Error())
		return 1
	}
	defer c.Close()
	if n > 0 {
		if err := c.SyncOnce(ctx); err != nil {
			say("error " + err.Error())
			return 1
		}
		for i := 0; i < n; i++ {
			if _, err := c.AddNote(ctx, "demo-1", fmt.Sprintf("kill9 note %d", i)); err != nil {
				say("error " + err.Error())
				return 1
			}
			if err := c.LogCall(ctx, call(fmt.Sprintf("kill9-call-%d", i), "demo-1", fmt.Sprintf("kill9 call note %d", i))); err != nil {
				say("error " + err.Error())
				return 1
			}
		}
		say("queued")
	}
	for attempt := 0; attempt < 100; attempt++ {
		if err := c.SyncOnce(ctx); err == nil {
			say("done")
			return 0
		}
		time.Sleep(50 * time.Millisecond) // the helper's own backoff, not a test wait
	}
	say("error gave up")
	return 1
}

// startHelper runs the helper and returns its stdout lines.
func startHelper(t *testing.T, url, db string, n int) (*exec.Cmd, <-chan string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "HS_URL="+url, "HS_DB="+db, "HS_N="+strconv.Itoa(n))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1000)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, lines
}

func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("helper exited early")
		}
		if strings.HasPrefix(l, "error") {
			t.Fatalf("helper: %s", l)
		}
		return l
	case <-time.After(60 * time.Second):
		t.Fatal("helper silent for 60 s")
	}
	return ""
}

// stallProxy forwards to the server; the stallAt-th write (request with an
// Idempotency-Key) is forwarded, so the server commits it, and then never
// answered: committed is closed and the handler waits for the client to go.
type stallProxy struct {
	upstream  string
	stallAt   int
	committed chan struct{}
	mu        sync.Mutex
	writes    int
}

func (p *stallProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	stall := false
	if r.Header.Get("Idempotency-Key") != "" {
		p.writes++
		stall = p.writes == p.stallAt
	}
	p.mu.Unlock()
	req, _ := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if stall {
		close(p.committed)
		<-r.Context().Done()
		return
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	w.Write(data)
}

// TestKill9MidSyncThenResume: the app is SIGKILLed in the middle of
// delivering its outbox, while a write the server has already committed is
// waiting for its answer; started again on the same cache it delivers the
// rest, and every note and call is on the server exactly once.
func TestKill9MidSyncThenResume(t *testing.T) {
	srv := newBackendServer(t)
	const n = 15
	sp := &stallProxy{upstream: srv.URL(), stallAt: n / 2, committed: make(chan struct{})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: sp}
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })

	db := t.TempDir() + "/app.db"
	cmd, lines := startHelper(t, "http://"+l.Addr().String(), db, n)
	if l := nextLine(t, lines); l != "queued" {
		t.Fatalf("helper said %q", l)
	}
	select {
	case <-sp.committed:
	case <-time.After(60 * time.Second):
		t.Fatal("the helper never reached the stalled write")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	cmd2, lines2 := startHelper(t, srv.URL(), db, 0)
	resent := 0
	for l := nextLine(t, lines2); l != "done"; l = nextLine(t, lines2) {
		resent++
	}
	if resent != 2*n-(n/2-1) {
		t.Errorf("second run delivered %d writes, want %d (the stalled one again, then the rest)", resent, 2*n-(n/2-1))
	}
	if err := cmd2.Wait(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	assertKill9Delivered(t, srv, n)
}

func assertKill9Delivered(t *testing.T, srv *backendServer, n int) {
	t.Helper()
	sup := loggedIn(t, srv.URL(), "sam")
	alice := loggedIn(t, srv.URL(), "alice")
	v := serverView{t: t, be: sup}
	var notes, callIDs []string
	for i := 0; i < n; i++ {
		notes = append(notes, fmt.Sprintf("kill9 note %d", i), fmt.Sprintf("kill9 call note %d", i))
	}
	exactlyOnce(t, "note", countBodies(v.ticket("demo-1").Notes), notes)
	got := map[string]int{}
	for _, c := range v.calls(v.userID("alice", alice)) {
		got[c.CallID]++
	}
	callIDs = callNumbers(n, "kill9-call")
	exactlyOnce(t, "call", got, callIDs)
	if len(got) != n {
		t.Errorf("%d calls on the server, want %d", len(got), n)
	}
}

// faultProxy sits between client and server. For every write (a request
// with an Idempotency-Key) it forwards the first attempt and then drops the
// connection without answering, as if the response was lost after the
// server committed; it forwards the retry twice (a duplicate delivery) and
// returns the second answer.
type faultProxy struct {
	upstream string
	mu       sync.Mutex
	seen     map[string]int
}

func (p *faultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	p.mu.Lock()
	p.seen[key]++
	attempt := p.seen[key]
	p.mu.Unlock()
	sends := 1
	if key != "" && attempt > 1 {
		sends = 2
	}
	var res *http.Response
	for i := 0; i < sends; i++ {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.upstream+r.URL.RequestURI(), bytes.NewReader(body))
		req.Header = r.Header.Clone()
		var err error
		if res, err = http.DefaultTransport.RoundTrip(req); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if i < sends-1 {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if key != "" && attempt == 1 {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	w.Write(data)
}

// TestLostResponsesAndDuplicateDeliveries: every write's first response is
// lost after the server committed it, and every retry reaches the server
// twice; still each note, call and event is stored once.
func TestLostResponsesAndDuplicateDeliveries(t *testing.T) {
	srv := newBackendServer(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fp := &faultProxy{upstream: srv.URL(), seen: map[string]int{}}
	hs := &http.Server{Handler: fp}
	go hs.Serve(l)
	t.Cleanup(func() { hs.Close() })

	be := loggedIn(t, "http://"+l.Addr().String(), "alice")
	c := openClient(t, be, Options{AgentName: "Alice Agent"})
	if err := c.SyncOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	const n = 5
	nt, err := c.CreateTicket(t.Context(), NewTicket{CustomerName: "Lost Response", Queue: "billing", Phones: []string{"+12025550111"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := c.AddNote(t.Context(), nt.ID, fmt.Sprintf("lost note %d", i)); err != nil {
			t.Fatal(err)
		}
		if err := c.LogCall(t.Context(), call(fmt.Sprintf("lost-call-%d", i), nt.ID, fmt.Sprintf("lost call note %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.RecordAgentEvent(t.Context(), AgentEvent{ID: "lost-event", Kind: EventState, State: "break", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	failures := 0
	for {
		err := c.SyncOnce(t.Context())
		if err == nil {
			break
		}
		if failures++; failures > 4*n+10 {
			t.Fatalf("sync keeps failing: %v", err)
		}
	}
	// net/http itself resends a request with an Idempotency-Key when the
	// connection drops before an answer; either way each write was sent
	// at least three times (lost, then a duplicated retry).
	fp.mu.Lock()
	retried := 0
	for k, v := range fp.seen {
		if k != "" && v >= 2 {
			retried++
		}
	}
	fp.mu.Unlock()
	if want := 2*n + 2; retried < want {
		t.Fatalf("only %d writes went through the lost-response path, want %d", retried, want)
	}
	v := serverView{t: t, be: loggedIn(t, srv.URL(), "sam")}
	var notes []string
	for i := 0; i < n; i++ {
		notes = append(notes, fmt.Sprintf("lost note %d", i), fmt.Sprintf("lost call note %d", i))
	}
	st := v.ticket(nt.ID)
	exactlyOnce(t, "note", countBodies(st.Notes), notes)
	if len(st.Notes) != 2*n {
		t.Errorf("%d notes on the server, want %d", len(st.Notes), 2*n)
	}
	got := map[string]int{}
	for _, c := range v.calls(v.userID("alice", be)) {
		got[c.CallID]++
	}
	exactlyOnce(t, "call", got, callNumbers(n, "lost-call"))
	local, _ := c.Ticket(t.Context(), nt.ID)
	for _, nn := range local.Notes {
		if nn.Pending {
			t.Errorf("note %q still pending locally", nn.Body)
		}
	}
}
