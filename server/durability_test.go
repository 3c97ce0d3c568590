package server_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// proc is a server process a test kills and starts again on one database.
type proc struct {
	t    *testing.T
	o    servertest.Options
	p    *servertest.Process
	addr string
}

func newProc(t *testing.T, o servertest.Options) *proc {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	o.Addr = addr
	o.Args = append([]string{"--demo", "--monitor-key", t.TempDir() + "/monitor.key"}, o.Args...)
	pr := &proc{t: t, o: o, addr: addr}
	pr.start()
	return pr
}

func (pr *proc) start() { pr.p = servertest.StartProcess(pr.t, serverBin, pr.o) }
func (pr *proc) url() string {
	return "http://" + pr.addr
}

// swarmOp is one acknowledged-or-not write of the swarm.
type swarmOp struct {
	path, key string
	body      any
	noteID    string // the note (or ticket, "t:"-prefixed) the write makes
}

// TestKill9ServerMidWrite: writers hammer the server (tickets with phone
// numbers, notes, calls with a note on a ticket, agent events, messages)
// and it is SIGKILLed mid-flight, on SQLite and PostgreSQL. After a
// restart every write that was acknowledged is there exactly once, nothing
// is half-written (a ticket's numbers all find it, a call's note is in the
// thread), and each unacknowledged write, retried with its key, lands once.
func TestKill9ServerMidWrite(t *testing.T) {
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			o := servertest.Options{}
			if kind == "sqlite" {
				o.DBPath = t.TempDir() + "/kill9.db"
			} else {
				o.PgDSN = newPgDatabase(t)
			}
			pr := newProc(t, o)
			var (
				mu     sync.Mutex
				acked  []swarmOp
				unsure []swarmOp
				n      atomic.Int64
			)
			const writers = 6
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					user := []string{"alice", "sam"}[w%2]
					c := login(t, pr.url(), user)
					c.http = shortClient()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						wr := swarmWrite(w, i, n.Add(1))
						status, err := c.try("POST", wr.path, wr.body, wr.key)
						mu.Lock()
						switch {
						case err == nil && status < 300:
							acked = append(acked, wr)
						case err != nil || status >= 500:
							unsure = append(unsure, wr)
						default:
							mu.Unlock()
							t.Errorf("%s: %d", wr.path, status)
							return
						}
						mu.Unlock()
						if err != nil {
							return // the server is gone
						}
					}
				}()
			}
			// Kill once the writers are well under way.
			for n.Load() < 150 {
				time.Sleep(10 * time.Millisecond)
			}
			pr.p.Kill()
			close(stop)
			wg.Wait()
			pr.start()
			c := login(t, pr.url(), "sam")
			for _, wr := range unsure {
				if r := c.do("POST", wr.path, wr.body, wr.key); r.Status >= 300 {
					// A write of alice's retried by sam is refused as another's: retry as alice.
					a := login(t, pr.url(), "alice")
					if r2 := a.do("POST", wr.path, wr.body, wr.key); r2.Status >= 300 {
						t.Errorf("retry of %s %s: %d %s / %d %s", wr.path, wr.key, r.Status, r.Body, r2.Status, r2.Body)
					}
				}
			}
			t.Logf("%d writes acknowledged before the kill, %d retried after it", len(acked), len(unsure))
			checkSwarm(t, c, append(acked, unsure...))
		})
	}
}

// swarmWrite is writer w's i-th write, global number k.
func swarmWrite(w, i int, k int64) swarmOp {
	key := fmt.Sprintf("swarm-%d-%d", w, i)
	now := time.Now().UTC()
	switch k % 4 {
	case 0:
		id := fmt.Sprintf("sw-t-%d-%d", w, i)
		return swarmOp{path: "/v1/tickets", key: key, noteID: "t:" + id, body: api.NewTicket{ID: id, CustomerName: "Swarm",
			Queue: "billing", Phones: []string{fmt.Sprintf("+1202555%04d", k%10000), fmt.Sprintf("+1303555%04d", k%10000)}}}
	case 1:
		id := fmt.Sprintf("sw-n-%d-%d", w, i)
		return swarmOp{path: "/v1/tickets/demo-1/notes", key: key, noteID: id, body: api.NewNote{ID: id, Body: "swarm " + id}}
	case 2:
		id := fmt.Sprintf("sw-c-%d-%d", w, i)
		return swarmOp{path: "/v1/calls", key: key, noteID: "call:" + id, body: api.CallLog{CallID: id, Direction: api.Inbound,
			Number: "+12025550100", StartedAt: now.Add(-time.Minute), EndedAt: now, Disposition: "resolved", TicketID: "demo-1",
			Note: "swarm call " + id}}
	}
	id := fmt.Sprintf("sw-e-%d-%d", w, i)
	return swarmOp{path: "/v1/agent-events", key: key, body: api.AgentEvent{ID: id, Kind: api.EventState, State: "available", At: now}}
}

// checkSwarm verifies every write is stored once and whole.
func checkSwarm(t *testing.T, c *client, writes []swarmOp) {
	var demo api.Ticket
	must(t, c.get("/v1/tickets/demo-1"), 200, &demo)
	notes := map[string]int{}
	for _, n := range demo.Notes {
		notes[n.ID]++
	}
	for _, wr := range writes {
		switch {
		case strings.HasPrefix(wr.noteID, "t:"):
			id := strings.TrimPrefix(wr.noteID, "t:")
			var tk api.Ticket
			must(t, c.get("/v1/tickets/"+id), 200, &tk)
			if len(tk.Phones) != 2 {
				t.Errorf("ticket %s has phones %v", id, tk.Phones)
			}
			for _, ph := range tk.Phones {
				var look api.Lookup
				must(t, c.get("/v1/tickets?phone="+strings.ReplaceAll(ph, "+", "%2B")), 200, &look)
				if !strings.Contains(","+ticketIDs(look.Tickets)+",", ","+id+",") {
					t.Errorf("screen-pop of %s does not find ticket %s: half-written", ph, id)
				}
			}
		case wr.noteID != "":
			if notes[wr.noteID] != 1 {
				t.Errorf("note %s is in the thread %d times, want once", wr.noteID, notes[wr.noteID])
			}
		}
	}
	if t.Failed() {
		return
	}
	seen := map[string]bool{}
	for _, n := range demo.Notes {
		if seen[n.ID] {
			t.Errorf("note %s twice", n.ID)
		}
		seen[n.ID] = true
	}
}

// shortClient is an HTTP client that gives up soon on a killed server.
func shortClient() *http.Client { return &http.Client{Timeout: 10 * time.Second} }

// try sends one JSON write and returns the status, or the transport error.
func (a *client) try(method, path string, in any, key string) (int, error) {
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.base+path, bytes.NewReader(mustJSON(in)))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Idempotency-Key", key)
	res, err := a.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	return res.StatusCode, nil
}

// TestDiskFullSQLite: when the disk fills up under SQLite (a file size
// limit on the server process), writes answer 503 with Retry-After, never
// 500 and never a half-written row; reads go on; once space is back the
// same writes, retried with their keys, land once, and after a kill -9 the
// database is intact.
func TestDiskFullSQLite(t *testing.T) {
	dir := t.TempDir()
	pr := newProc(t, servertest.Options{DBPath: dir + "/full.db"})
	a := login(t, pr.url(), "alice")
	must(t, a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: "before-full", Body: "written"}, newKey()), 201, nil)
	// The database files may grow by a few bytes, no more.
	var old unix.Rlimit
	pid := pr.p.PID()
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, nil, &old); err != nil {
		t.Fatal(err)
	}
	largest := int64(0)
	for _, f := range []string{"full.db", "full.db-wal"} {
		if st, err := statSize(dir + "/" + f); err == nil && st > largest {
			largest = st
		}
	}
	full := unix.Rlimit{Cur: uint64(largest + 100), Max: old.Max}
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &full, nil); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 8000)
	keys := []string{}
	for i := 0; i < 5; i++ {
		key := fmt.Sprintf("full-%d", i)
		keys = append(keys, key)
		r := a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: key, Body: big}, key)
		if r.Status != 503 || r.code() != "unavailable" {
			t.Fatalf("write on a full disk: %d %s, want 503 unavailable", r.Status, r.Body)
		}
	}
	must(t, a.get("/v1/tickets/demo-1"), 200, nil)
	if err := unix.Prlimit(pid, unix.RLIMIT_FSIZE, &old, nil); err != nil {
		t.Fatal(err)
	}
	for _, key := range keys {
		must(t, a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: key, Body: big}, key), 201, nil)
		must(t, a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: key, Body: big}, key), 201, nil) // replayed
	}
	if bad := errorLines(pr.p.Log()); bad != "" {
		t.Errorf("a full disk logged errors (not 'unavailable' warnings):\n%s", bad)
	}
	pr.p.Kill()
	db, err := sql.Open("sqlite", "file:"+dir+"/full.db")
	if err != nil {
		t.Fatal(err)
	}
	var check string
	var n int
	err = db.QueryRow(`PRAGMA integrity_check`).Scan(&check)
	if err == nil {
		err = db.QueryRow(`SELECT COUNT(*) FROM notes WHERE id LIKE 'full-%' OR id = 'before-full'`).Scan(&n)
	}
	db.Close()
	if err != nil || check != "ok" || n != len(keys)+1 {
		t.Fatalf("after the disk filled and a kill -9: integrity %q, %d notes (want %d), %v", check, n, len(keys)+1, err)
	}
}

// TestPostgresOutages: the server's PostgreSQL turns read-only (a failover
// to a standby), then crashes and comes back. Meanwhile writes answer 503
// with Retry-After (never 500), the health check says 503 so a load
// balancer takes the replica out, reads go on while they can; once the
// database is back, the same writes land once, and a supervisor's stream
// opened before the crash carries the changes made after it. Acknowledged
// writes survive the crash (synchronous commit on).
func TestPostgresOutages(t *testing.T) {
	servertest.Require(t, pgErr == nil, fmt.Sprintf("PostgreSQL (%v)", pgErr))
	cluster, err := servertest.StartPostgres()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Stop)
	dsn, err := cluster.NewDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	name := dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
	admin, err := sql.Open("pgx", cluster.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	exec := func(q string) {
		t.Helper()
		if _, err := admin.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("ALTER DATABASE " + name + " SET synchronous_commit = on")
	pr := newProc(t, servertest.Options{PgDSN: dsn})
	a := login(t, pr.url(), "alice")
	sam := login(t, pr.url(), "sam")
	must(t, a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: "pg-before", Body: "x"}, newKey()), 201, nil)
	health := &client{t: t, base: pr.url()}
	must(t, health.get("/v1/health"), 200, nil)

	// Read-only, as after a failover to a standby.
	exec("ALTER DATABASE " + name + " SET default_transaction_read_only = on")
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'")
	r := retryUntil(t, func() resp {
		return a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: "pg-ro", Body: "x"}, "pg-ro")
	},
		func(r resp) bool { return r.Status == 503 })
	if r.code() != "unavailable" {
		t.Fatalf("write on a read-only database: %d %s", r.Status, r.Body)
	}
	if r := health.get("/v1/health"); r.Status != 503 {
		t.Errorf("health on a read-only database: %d %s, want 503", r.Status, r.Body)
	}
	must(t, a.get("/v1/tickets/demo-1"), 200, nil)
	exec("ALTER DATABASE " + name + " RESET default_transaction_read_only")
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'")
	retryUntil(t, func() resp {
		return a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: "pg-ro", Body: "x"}, "pg-ro")
	},
		func(r resp) bool { return r.Status == 201 })

	// A crash, while writers write and a supervisor watches.
	st := openStream(t, pr.url(), sam.token, "")
	st.next(func(name string, _ api.LiveEvent) bool { return name == api.LiveSnapshot })
	var acked []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var sent atomic.Int64
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &client{t: t, base: pr.url(), token: a.token, http: shortClient()}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("pg-crash-%d-%d", w, i)
				status, err := c.try("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: id, Body: "x"}, id)
				sent.Add(1)
				switch {
				case err != nil:
					t.Errorf("write during the crash: %v", err)
					return
				case status == 201:
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				case status != 503:
					t.Errorf("write during the crash: %d, want 201 or 503", status)
					return
				}
			}
		}()
	}
	for sent.Load() < 30 {
		time.Sleep(10 * time.Millisecond)
	}
	cluster.Down(true)
	for s := sent.Load(); sent.Load() < s+10; {
		time.Sleep(10 * time.Millisecond)
	}
	if r := health.get("/v1/health"); r.Status != 503 {
		t.Errorf("health with the database down: %d %s, want 503", r.Status, r.Body)
	}
	if err := cluster.Up(); err != nil {
		t.Fatal(err)
	}
	retryUntil(t, func() resp { return health.get("/v1/health") }, func(r resp) bool { return r.Status == 200 })
	close(stop)
	wg.Wait()
	ev := api.AgentEvent{ID: "pg-after-crash", Kind: api.EventClockIn, At: time.Now(), Precheck: &api.Precheck{Passed: true, Report: []byte(`{}`)}}
	retryUntil(t, func() resp { return a.do("POST", "/v1/agent-events", ev, "pg-after-crash") }, func(r resp) bool { return r.Status == 201 })
	st.next(agentIs("alice", func(al *api.AgentLive) bool { return al.State == "available" }))
	var demo api.Ticket
	must(t, a.get("/v1/tickets/demo-1"), 200, &demo)
	have := map[string]bool{}
	for _, n := range demo.Notes {
		have[n.ID] = true
	}
	for _, id := range acked {
		if !have[id] {
			t.Errorf("note %s was acknowledged before the crash and is gone", id)
		}
	}
	t.Logf("%d notes acknowledged around the crash", len(acked))
	if bad := errorLines(pr.p.Log()); bad != "" {
		t.Errorf("the outages logged errors (not 'unavailable' warnings):\n%s", bad)
	}
}

// retryUntil calls f (as a client retries, 100 ms apart) until ok holds, for
// at most 60 s.
func retryUntil(t *testing.T, f func() resp, ok func(resp) bool) resp {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := f()
		if ok(r) {
			return r
		}
		if r.Status >= 500 && r.Status != 503 {
			t.Fatalf("%d %s, want 503 while the database is out", r.Status, r.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d %s after 60 s", r.Status, r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func statSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
