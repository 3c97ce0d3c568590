package server_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// TestConcurrentWriters: on SQLite and PostgreSQL, parallel clients race on
// one ticket and one write. Edits from the same version: one wins, every
// other gets 409 with the winner's ticket (no lost update). The same write
// sent many times at once with one Idempotency-Key (an outbox retrying while
// the first attempt is still in flight): one effect, every answer the same.
// One key with different bodies: one wins, the rest 422. One note id under
// different keys: one note.
func TestConcurrentWriters(t *testing.T) {
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, kind)
			const n = 12
			clients := make([]*client, n)
			for i := range clients {
				clients[i] = login(t, p.URL, []string{"alice", "sam"}[i%2])
			}
			race := func(f func(i int) resp) []resp {
				out := make([]resp, n)
				var wg sync.WaitGroup
				start := make(chan struct{})
				for i := 0; i < n; i++ {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						out[i] = f(i)
					}()
				}
				close(start)
				wg.Wait()
				return out
			}

			// Lost updates.
			var cur api.Ticket
			must(t, clients[0].get("/v1/tickets/demo-3"), 200, &cur)
			rs := race(func(i int) resp {
				s := fmt.Sprintf("edit %d", i)
				return clients[i].do("PATCH", "/v1/tickets/demo-3", api.TicketPatch{Version: cur.Version, Subject: &s}, newKey())
			})
			won := -1
			for i, r := range rs {
				switch {
				case r.Status == 200 && won < 0:
					won = i
				case r.Status == 409 && r.code() == "version_conflict":
				default:
					t.Errorf("edit %d: %d %s", i, r.Status, r.Body)
				}
			}
			var after api.Ticket
			must(t, clients[0].get("/v1/tickets/demo-3"), 200, &after)
			if won < 0 || after.Subject != fmt.Sprintf("edit %d", won) || after.Version != cur.Version+1 {
				t.Errorf("after the race: version %d subject %q, winner %d", after.Version, after.Subject, won)
			}
			for i, r := range rs {
				if r.Status != 409 {
					continue
				}
				var eb api.ErrorBody
				r.decode(t, &eb)
				if eb.Ticket == nil || eb.Ticket.Version != after.Version || eb.Ticket.Subject != after.Subject {
					t.Errorf("conflict %d carries %+v, want the winner's ticket", i, eb.Ticket)
				}
			}

			// One write, one key, sent n times at once (by one user).
			a := clients[0]
			same := func(path string, body any) {
				key := newKey()
				rs := race(func(int) resp { return a.do("POST", path, body, key) })
				for i, r := range rs {
					if r.Status >= 300 || r.Status != rs[0].Status || string(r.Body) != string(rs[0].Body) {
						t.Errorf("%s copy %d: %d %s, first %d %s", path, i, r.Status, r.Body, rs[0].Status, rs[0].Body)
					}
				}
			}
			same("/v1/tickets", api.NewTicket{CustomerName: "No id, one key", Queue: "billing", Phones: []string{"+12025559876"}})
			same("/v1/tickets/demo-1/notes", api.NewNote{Body: "one key, no id"})
			now := time.Now().UTC()
			same("/v1/calls", api.CallLog{CallID: "race-call", Direction: api.Inbound, Number: "+12025550100", StartedAt: now.Add(-time.Minute),
				EndedAt: now, Disposition: "resolved", TicketID: "demo-1", Note: "race call"})
			same("/v1/messages", api.NewMessage{ID: "race-msg", To: "sam", Body: "once", SentAt: now})
			var look api.Lookup
			must(t, a.get("/v1/tickets?phone=%2B12025559876"), 200, &look)
			if len(look.Tickets) != 1 {
				t.Errorf("one create sent %d times made %d tickets", n, len(look.Tickets))
			}
			var demo api.Ticket
			must(t, a.get("/v1/tickets/demo-1"), 200, &demo)
			count := map[string]int{}
			for _, nt := range demo.Notes {
				count[nt.Body]++
			}
			if count["one key, no id"] != 1 || count["race call"] != 1 {
				t.Errorf("notes after the races: %v", count)
			}

			// One key, different bodies.
			key := newKey()
			rs = race(func(i int) resp {
				return a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{Body: fmt.Sprintf("body %d", i)}, key)
			})
			ok := 0
			for i, r := range rs {
				switch {
				case r.Status == 201 && ok == 0:
					ok++
				case r.Status == 201:
					// The same body as the winner's is a replay; ours all differ.
					t.Errorf("body %d also written under the key", i)
				case r.Status == 422 && r.code() == "idempotency_key_reused":
				default:
					t.Errorf("body %d: %d %s", i, r.Status, r.Body)
				}
			}

			// One note id, different keys: one note; the others get it back.
			rs = race(func(i int) resp {
				return a.do("POST", "/v1/tickets/demo-1/notes", api.NewNote{ID: "race-note", Body: "same note"}, newKey())
			})
			created := 0
			for i, r := range rs {
				switch r.Status {
				case 201:
					created++
				case 200:
				default:
					t.Errorf("note copy %d: %d %s", i, r.Status, r.Body)
				}
			}
			if created != 1 {
				t.Errorf("note race-note created %d times", created)
			}

			// One help request, n supervisors taking it at once: one takes
			// it, every other is told who did (409 taken).
			sam := clients[1]
			sups := make([]*client, n)
			for i := range sups {
				name := fmt.Sprintf("sup%d", i)
				must(t, sam.do("POST", "/v1/users", api.NewUser{Username: name, Password: "supervisor-password", Role: api.RoleSupervisor,
					Queues: []string{"billing"}}, ""), 201, nil)
				sups[i] = &client{t: t, base: p.URL}
				var pair api.TokenPair
				must(t, sups[i].do("POST", "/v1/auth/login", api.Login{Username: name, Password: "supervisor-password"}, ""), 200, &pair)
				sups[i].token = pair.AccessToken
			}
			must(t, a.do("POST", "/v1/help", api.NewHelp{ID: "race-help", Body: "help", SentAt: now}, newKey()), 201, nil)
			rs = race(func(i int) resp { return sups[i].do("POST", "/v1/help/race-help/take", nil, "") })
			var winners []string
			for i, r := range rs {
				switch {
				case r.Status == 200:
					var m api.Message
					r.decode(t, &m)
					winners = append(winners, fmt.Sprintf("sup%d took it as %s", i, m.TakenBy))
				case r.Status == 409 && r.code() == "taken":
				default:
					t.Errorf("take %d: %d %s", i, r.Status, r.Body)
				}
			}
			if len(winners) != 1 {
				t.Errorf("one help request taken %d times: %v", len(winners), winners)
			}

			// Its agent cancels while the supervisors take it: either the
			// cancel wins and every take is told (409 cancelled), or one
			// take wins and the cancel is told (409 taken); never both.
			must(t, a.do("POST", "/v1/help", api.NewHelp{ID: "race-help-2", Body: "help", SentAt: now}, newKey()), 201, nil)
			rs = race(func(i int) resp {
				if i == 0 {
					return a.do("POST", "/v1/help/race-help-2/cancel", nil, "")
				}
				return sups[i].do("POST", "/v1/help/race-help-2/take", nil, "")
			})
			taken := 0
			for _, r := range rs[1:] {
				if r.Status == 200 {
					taken++
				}
			}
			cancelled := rs[0].Status == 200
			switch {
			case cancelled && taken == 0:
				for i, r := range rs[1:] {
					if r.Status != 409 || r.code() != "cancelled" {
						t.Errorf("take %d of a cancelled request: %d %s", i+1, r.Status, r.Body)
					}
				}
			case !cancelled && taken == 1:
				if rs[0].Status != 409 || rs[0].code() != "taken" {
					t.Errorf("cancel of a taken request: %d %s", rs[0].Status, rs[0].Body)
				}
			default:
				t.Errorf("cancel %d %s with %d takes", rs[0].Status, rs[0].Body, taken)
			}
		})
	}
}
