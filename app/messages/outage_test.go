package messages

import (
	"bufio"
	"context"
	"fmt"
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
	"github.com/homeshore/homeshore/server/api"
)

// The test binary re-executes itself as the agent app's message client when
// helperEnv is set, so a test can SIGKILL it at a chosen point.
const helperEnv = "HOMESHORE_MESSAGES_HELPER"

// runHelper logs in as alice and runs the client on HS_DB against HS_URL,
// printing "received BODY", "delivered BODY", "confirmed" per event. It reads
// commands on stdin: "send BODY", "list" (prints "item KIND FROM PENDING
// BODY" lines then "end"). With HS_PAUSE_AFTER=N it prints "paused" after
// the backend confirmed its N-th send, before the outbox is cleared, and
// waits there to be killed.
func runHelper() int {
	ctx := context.Background()
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", args...)
		out.Flush()
	}
	be := backend.NewHTTPBackend(os.Getenv("HS_URL"), &backend.MemoryTokenStore{}, nil)
	for attempt := 0; ; attempt++ {
		err := be.Login(ctx, "alice", server.DemoPassword)
		if err == nil {
			break
		}
		if attempt == 100 {
			say("error login: %v", err)
			return 1
		}
		time.Sleep(100 * time.Millisecond) // the helper's own retry while the server restarts
	}
	pause, _ := strconv.Atoi(os.Getenv("HS_PAUSE_AFTER"))
	confirmed := 0
	c, err := Open(os.Getenv("HS_DB"), NewHTTPBackend(be), Options{Me: "alice", MyName: "Alice Agent", MaxBackoff: 500 * time.Millisecond,
		Notify: func(e Event) {
			switch e := e.(type) {
			case Received:
				say("received %s", e.Message.Body)
			case Delivered:
				say("delivered %s", e.Message.Body)
			case Refused:
				say("error refused %s", e.Reason)
			}
		},
		Confirmed: func(string) {
			confirmed++
			if confirmed == pause {
				say("paused")
				select {} // killed here, between the server's commit and ours
			}
		}})
	if err != nil {
		say("error %v", err)
		return 1
	}
	go c.Run(ctx) // runs until the process is killed
	say("ready")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		cmd, arg, _ := strings.Cut(sc.Text(), " ")
		switch cmd {
		case "send":
			if _, err := c.Send(ctx, "", arg); err != nil {
				say("error %v", err)
				return 1
			}
			say("queued %s", arg)
		case "list":
			list, err := c.List(ctx)
			if err != nil {
				say("error %v", err)
				return 1
			}
			for _, m := range list {
				say("item %s %s %v %s", m.Kind, m.From, m.Pending, m.Body)
			}
			say("end")
		}
	}
	return 0
}

// helper is a running helper process.
type helper struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin *bufio.Writer
	lines chan string
	// seen counts "received"/"delivered" lines by body, across helpers.
	seen map[string]int
}

func startHelper(t *testing.T, url, db string, pauseAfter int, seen map[string]int) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", "HS_URL="+url, "HS_DB="+db, "HS_PAUSE_AFTER="+strconv.Itoa(pauseAfter))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{t: t, cmd: cmd, stdin: bufio.NewWriter(stdin), lines: make(chan string, 1000), seen: seen}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			h.lines <- sc.Text()
		}
		close(h.lines)
	}()
	t.Cleanup(h.kill)
	h.expect("ready")
	return h
}

func (h *helper) send(cmd string) {
	h.t.Helper()
	fmt.Fprintln(h.stdin, cmd)
	if err := h.stdin.Flush(); err != nil {
		h.t.Fatal(err)
	}
}

// expect reads lines until want; "received"/"delivered" lines on the way are
// counted.
func (h *helper) expect(want string) {
	h.t.Helper()
	timeout := time.After(eventWait)
	for {
		select {
		case l, ok := <-h.lines:
			if !ok {
				h.t.Fatalf("helper exited while waiting for %q", want)
			}
			if strings.HasPrefix(l, "error") {
				h.t.Fatalf("helper: %s", l)
			}
			if strings.HasPrefix(l, "received ") || strings.HasPrefix(l, "delivered ") {
				h.seen[l]++
			}
			if l == want {
				return
			}
		case <-timeout:
			h.t.Fatalf("helper did not say %q within %v", want, eventWait)
		}
	}
}

func (h *helper) kill() {
	_ = h.cmd.Process.Signal(syscall.SIGKILL)
	_ = h.cmd.Wait()
}

// TestMessagesThroughOutageAndKill9: messages both ways while the backend
// is killed and restarted, and while the app is SIGKILLed between the
// server's commit of a send and its own: every message is on the server and
// in the app's store exactly once, and the app reports each one once.
func TestMessagesThroughOutageAndKill9(t *testing.T) {
	srv := newBackendServer(t)
	sam := loggedIn(t, srv.URL(), "sam")
	samSend := func(body string) {
		t.Helper()
		in := api.NewMessage{ID: "sam-" + body, To: "alice", Body: body, SentAt: time.Now()}
		if err := sam.Do(t.Context(), "POST", "/v1/messages", "k-"+body, in, nil); err != nil {
			t.Fatal(err)
		}
	}
	db := t.TempDir() + "/app-messages.db"
	seen := map[string]int{}
	h1 := startHelper(t, srv.URL(), db, 0, seen)
	for _, b := range []string{"s1", "s2", "s3"} {
		samSend(b)
	}
	for _, b := range []string{"s1", "s2", "s3"} {
		h1.expect("received " + b)
	}
	for _, b := range []string{"a1", "a2"} {
		h1.send("send " + b)
		h1.expect("delivered " + b)
	}
	// Backend outage: the app keeps queueing.
	srv.kill()
	for _, b := range []string{"a3", "a4"} {
		h1.send("send " + b)
		h1.expect("queued " + b)
	}
	srv.start()
	sam = loggedIn(t, srv.URL(), "sam")
	h1.expect("delivered a3")
	h1.expect("delivered a4")
	samSend("s4")
	h1.expect("received s4")
	h1.kill()
	// The app dies after the server stored a5 and before it cleared its outbox.
	h2 := startHelper(t, srv.URL(), db, 1, seen)
	h2.send("send a5")
	h2.expect("paused")
	h2.kill()
	samSend("s5")
	// Started again, it resends a5 with the same key and id, and gets s5.
	h3 := startHelper(t, srv.URL(), db, 0, seen)
	h3.expect("delivered a5")
	h3.expect("received s5")
	h3.send("list")
	store := map[string]int{}
	for {
		l := <-h3.lines
		if l == "end" {
			break
		}
		if item, ok := strings.CutPrefix(l, "item "); ok {
			f := strings.Fields(item)
			if f[2] != "false" {
				t.Errorf("still pending: %s", l)
			}
			store[f[3]]++
		}
	}
	var page api.MessagePage
	if err := sam.Do(t.Context(), "GET", "/v1/messages?limit=500", "", nil, &page); err != nil {
		t.Fatal(err)
	}
	onServer := map[string]int{}
	for _, m := range page.Messages {
		onServer[m.Body]++
	}
	all := []string{"s1", "s2", "s3", "s4", "s5", "a1", "a2", "a3", "a4", "a5"}
	for _, b := range all {
		if store[b] != 1 || onServer[b] != 1 {
			t.Errorf("%s: %d in the app's store, %d on the server; want 1 and 1", b, store[b], onServer[b])
		}
	}
	if len(store) != len(all) || len(onServer) != len(all) {
		t.Errorf("store %v, server %v", store, onServer)
	}
	for l, n := range seen {
		if n != 1 {
			t.Errorf("the app said %q %d times", l, n)
		}
	}
}
