package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

// Roles every route is tried with. alice is an agent of billing, bob an
// agent of support, sam supervises both, sue supervises support only; the
// console roles are sam's browser session with and without its CSRF token.
const (
	anon = iota
	agent
	otherAgent
	sup
	otherSup
	cookieNoCSRF
	cookieCSRF
	nRoles
)

var roleNames = [nRoles]string{"anonymous", "agent alice", "agent bob (other queue)", "supervisor sam", "supervisor sue (other queue)",
	"console cookie without CSRF", "console cookie with CSRF"}

// authzEnv is the cast of one server.
type authzEnv struct {
	t       *testing.T
	base    string
	clients [nRoles]*client
	csrf    string
	aliceID string
	helpID  string
	n       int
}

// probe is one request of a route and the status each role must get.
type probe struct {
	path string
	// body builds a valid body for the role (nil for none), so that what
	// decides the answer is who asks, not what they send.
	body func(e *authzEnv, role int) any
	want [nRoles]int
	// fresh: the request ends the caller's session, so it goes out with a
	// login of its own.
	fresh bool
}

// ok answers 200 to everyone authenticated, 401 to anonymous.
var (
	authed   = [nRoles]int{401, 200, 200, 200, 200, 200, 200}
	public   = [nRoles]int{200, 200, 200, 200, 200, 200, 200}
	supsOnly = [nRoles]int{401, 403, 403, 200, 200, 200, 200}
)

// write is the statuses of a write open to every authenticated caller:
// status for them, 403 csrf for the console cookie without its token.
func write(status int) [nRoles]int {
	return [nRoles]int{401, status, status, status, status, 403, status}
}

// authzTable has a row for every route the server serves. Adding a route
// without a row here fails TestRouteAuthorization.
func authzTable() map[string][]probe {
	uniq := func(e *authzEnv, prefix string) string {
		e.n++
		return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), e.n)
	}
	now := func() time.Time { return time.Now().UTC() }
	return map[string][]probe{
		"GET /v1/health": {{path: "/v1/health", want: public}},
		"POST /v1/auth/login": {{path: "/v1/auth/login", want: public,
			body: func(e *authzEnv, _ int) any { return api.Login{Username: "alice", Password: server.DemoPassword} }}},
		"POST /v1/auth/refresh": {{path: "/v1/auth/refresh", want: [nRoles]int{401, 401, 401, 401, 401, 401, 401},
			body: func(*authzEnv, int) any { return map[string]string{"refresh_token": "forged"} }}},
		"POST /v1/auth/logout": {{path: "/v1/auth/logout", fresh: true, want: [nRoles]int{401, 204, 204, 204, 204, 403, 204}}},
		"GET /v1/me":           {{path: "/v1/me", want: authed}},
		"GET /v1/dispositions": {{path: "/v1/dispositions", want: authed}},
		"GET /v1/queues":       {{path: "/v1/queues", want: authed}},
		"POST /v1/queues": {{path: "/v1/queues", want: [nRoles]int{401, 403, 403, 201, 201, 403, 201},
			body: func(e *authzEnv, _ int) any { return map[string]string{"name": uniq(e, "q")} }}},
		// A supervisor adds accounts to their own queues only: sue, of
		// support, may not make herself a colleague in billing.
		"POST /v1/users": {
			{path: "/v1/users", want: [nRoles]int{401, 403, 403, 201, 403, 403, 201},
				body: func(e *authzEnv, _ int) any {
					return api.NewUser{Username: uniq(e, "u"), Password: "long-enough", Role: api.RoleSupervisor, Queues: []string{"billing"}}
				}},
			{path: "/v1/users", want: [nRoles]int{401, 403, 403, 201, 201, 403, 201},
				body: func(e *authzEnv, _ int) any {
					return api.NewUser{Username: uniq(e, "u"), Password: "long-enough", Role: api.RoleAgent, Queues: []string{"support"}}
				}},
		},
		"GET /v1/tickets": {{path: "/v1/tickets?phone=%2B33612345678", want: authed}},
		"POST /v1/tickets": {{path: "/v1/tickets", want: [nRoles]int{401, 201, 403, 201, 201, 403, 201},
			body: func(e *authzEnv, _ int) any {
				return api.NewTicket{ID: uniq(e, "t"), CustomerName: "Authz", Queue: "billing"}
			}}},
		"GET /v1/tickets/{id}": {{path: "/v1/tickets/demo-1", want: [nRoles]int{401, 200, 404, 200, 200, 200, 200}}},
		"PATCH /v1/tickets/{id}": {{path: "/v1/tickets/demo-3", want: [nRoles]int{401, 200, 404, 200, 200, 403, 200},
			body: func(e *authzEnv, _ int) any {
				var cur api.Ticket
				must(e.t, e.clients[sup].get("/v1/tickets/demo-3"), 200, &cur)
				s := uniq(e, "subject")
				return api.TicketPatch{Version: cur.Version, Subject: &s}
			}}},
		"POST /v1/tickets/{id}/notes": {{path: "/v1/tickets/demo-1/notes", want: [nRoles]int{401, 201, 404, 201, 201, 403, 201},
			body: func(e *authzEnv, _ int) any { return api.NewNote{ID: uniq(e, "n"), Body: "authz"} }}},
		"GET /v1/sync": {{path: "/v1/sync", want: authed}},
		"POST /v1/calls": {{path: "/v1/calls", want: write(201),
			body: func(e *authzEnv, _ int) any {
				t0 := now().Add(-time.Minute)
				return api.CallLog{CallID: uniq(e, "c"), Direction: api.Inbound, Number: "+12025550100", StartedAt: t0, EndedAt: t0.Add(time.Second),
					Disposition: "resolved"}
			}}},
		"GET /v1/calls": {
			{path: "/v1/calls", want: authed},
			{path: "/v1/calls?agent_id={alice}", want: [nRoles]int{401, 200, 403, 200, 403, 200, 200}},
		},
		"POST /v1/agent-events": {{path: "/v1/agent-events", want: write(201),
			body: func(e *authzEnv, _ int) any {
				return api.AgentEvent{ID: uniq(e, "e"), Kind: api.EventState, State: "available", At: now()}
			}}},
		"GET /v1/shifts": {
			{path: "/v1/shifts", want: authed},
			{path: "/v1/shifts?agent_id={alice}", want: [nRoles]int{401, 200, 403, 200, 403, 200, 200}},
		},
		"GET /v1/indicators":     {{path: "/v1/indicators", want: supsOnly}},
		"GET /v1/indicators.csv": {{path: "/v1/indicators.csv", want: supsOnly}},
		"GET /v1/agents/{id}/timeline": {{path: "/v1/agents/{alice}/timeline",
			want: [nRoles]int{401, 200, 404, 200, 404, 200, 200}}},
		"PUT /v1/live/status": {{path: "/v1/live/status", want: [nRoles]int{401, 204, 204, 403, 403, 403, 403},
			body: func(e *authzEnv, _ int) any {
				return api.LiveStatus{At: now(), State: "available", StateSince: now()}
			}}},
		"GET /v1/live/agents": {{path: "/v1/live/agents", want: supsOnly}},
		"GET /v1/live/stream": {{path: "/v1/live/stream", want: authed}},
		"POST /v1/messages": {{path: "/v1/messages", want: [nRoles]int{401, 201, 201, 201, 403, 403, 201},
			body: func(e *authzEnv, role int) any {
				to := "alice"
				if role == agent || role == otherAgent {
					to = "sam"
				}
				return api.NewMessage{ID: uniq(e, "m"), To: to, Body: "authz", SentAt: now()}
			}}},
		"GET /v1/messages": {{path: "/v1/messages", want: authed}},
		"POST /v1/help": {{path: "/v1/help", want: [nRoles]int{401, 201, 201, 403, 403, 403, 403},
			body: func(e *authzEnv, _ int) any { return api.NewHelp{ID: uniq(e, "h"), SentAt: now()} }}},
		"POST /v1/help/{id}/take": {{path: "/v1/help/{help}/take", want: [nRoles]int{401, 403, 403, 200, 404, 403, 200}}},
		// The agent who raised it (alice) cancels it; bob does not see it.
		"POST /v1/help/{id}/cancel": {{path: "/v1/help/{help}/cancel", want: [nRoles]int{401, 200, 404, 403, 403, 403, 403}}},
		"GET /v1/admin/queues":      {{path: "/v1/admin/queues", want: supsOnly}},
		"GET /v1/admin/users":       {{path: "/v1/admin/users", want: supsOnly}},
		"GET /v1/admin/audit":       {{path: "/v1/admin/audit", want: supsOnly}},
		// A supervisor administers their own queues only (admin.go): sue,
		// of support, cannot touch billing (she would see its agents); no
		// change here: alice is in billing and not in support already.
		"PUT /v1/admin/queues/{queue}/members/{username}": {{path: "/v1/admin/queues/billing/members/alice",
			want: [nRoles]int{401, 403, 403, 200, 403, 403, 200}}},
		"DELETE /v1/admin/queues/{queue}/members/{username}": {{path: "/v1/admin/queues/support/members/alice",
			want: [nRoles]int{401, 403, 403, 200, 200, 403, 200}}},
		"GET /v1/monitor/public-key": {{path: "/v1/monitor/public-key", want: public}},
		"POST /v1/monitor/grants": {{path: "/v1/monitor/grants", want: [nRoles]int{401, 403, 403, 201, 403, 403, 201},
			body: func(*authzEnv, int) any { return api.GrantRequest{Agent: "alice", Mode: "listen"} }}},
		"POST /v1/monitor/sessions": {{path: "/v1/monitor/sessions", want: [nRoles]int{401, 201, 403, 403, 403, 403, 403},
			body: func(e *authzEnv, _ int) any {
				return api.MonitorSession{ID: uniq(e, "s"), Supervisor: "sam", Agent: "alice", CallID: "authz-call", Mode: "listen",
					StartedAt: now(), Modes: []api.ModeChange{}}
			}}},
		"GET /v1/monitor/sessions": {
			{path: "/v1/monitor/sessions", want: authed},
			// sue asks about an agent she does not supervise: an empty list.
			{path: "/v1/monitor/sessions?agent=alice", want: [nRoles]int{401, 200, 403, 200, 200, 200, 200}},
		},
		"GET /console/": {{path: "/console/", want: public}},
		"GET /console":  {{path: "/console", want: [nRoles]int{301, 301, 301, 301, 301, 301, 301}}},
		// The session endpoints need the console's own header, which a
		// cross-site form cannot send; TestConsoleSessions covers them with it.
		"POST /v1/console/login": {{path: "/v1/console/login", want: [nRoles]int{403, 403, 403, 403, 403, 403, 403},
			body: func(*authzEnv, int) any { return api.Login{Username: "sam", Password: server.DemoPassword} }}},
		"POST /v1/console/refresh": {{path: "/v1/console/refresh", want: [nRoles]int{403, 403, 403, 403, 403, 403, 403}}},
		"GET /v1/console/session":  {{path: "/v1/console/session", want: [nRoles]int{401, 401, 401, 401, 401, 200, 200}}},
		"POST /v1/console/logout":  {{path: "/v1/console/logout", want: [nRoles]int{403, 403, 403, 403, 403, 403, 403}}},
		"/": {
			{path: "/v1/nope", want: [nRoles]int{404, 404, 404, 404, 404, 404, 404}},
			{path: "/", want: [nRoles]int{404, 404, 404, 404, 404, 404, 404}},
		},
	}
}

// TestRouteAuthorization enumerates the server's routes and tries each with
// every role, on SQLite and PostgreSQL: who may call it, who gets 401, 403
// or 404 (a resource they may not know exists), and that a console cookie
// never writes without its CSRF token. A route without a row fails the test.
func TestRouteAuthorization(t *testing.T) {
	table := authzTable()
	srv, err := server.New(t.Context(), server.Config{Driver: "sqlite", DSN: t.TempDir() + "/routes.db"})
	if err != nil {
		t.Fatal(err)
	}
	routes := srv.Routes()
	srv.Close()
	for _, r := range routes {
		if _, ok := table[r]; !ok {
			t.Errorf("route %q has no row in authzTable: say who may call it", r)
		}
	}
	for r := range table {
		if !slices.Contains(routes, r) {
			t.Errorf("authzTable has a row for %q, which the server does not serve", r)
		}
	}
	if t.Failed() {
		return
	}
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, kind)
			e := newAuthzEnv(t, p.URL)
			for _, r := range routes {
				method, _, _ := strings.Cut(r, " ")
				if !strings.Contains(r, " ") {
					method = "GET"
				}
				for _, pr := range table[r] {
					for role := 0; role < nRoles; role++ {
						got, body := e.try(method, pr, role)
						if got != pr.want[role] {
							t.Errorf("%s %s as %s: %d, want %d: %s", method, pr.path, roleNames[role], got, pr.want[role], body)
						}
						if role == cookieNoCSRF && method != "GET" && pr.want[anon] == 401 && got < 300 {
							t.Errorf("%s %s: a console cookie without its CSRF token was accepted", method, pr.path)
						}
					}
				}
			}
		})
	}
}

// freshClient logs role in anew (a session of its own) and returns the
// client and, for a console session, its CSRF token.
func (e *authzEnv) freshClient(role int) (*client, string) {
	names := map[int]string{agent: "alice", otherAgent: "bob", sup: "sam", otherSup: "sue"}
	switch role {
	case anon:
		return e.clients[anon], ""
	case cookieNoCSRF, cookieCSRF:
		hc := browserish(e.t)
		res, body := send(e.t, hc, "POST", e.base+"/v1/console/login", api.Login{Username: "sam", Password: server.DemoPassword},
			map[string]string{"X-Homeshore-Console": "1", "Content-Type": "application/json"})
		var s consoleSession
		if res.StatusCode != 200 || jsonDecode(body, &s) != nil {
			e.t.Fatalf("console login: %d %s", res.StatusCode, body)
		}
		return &client{t: e.t, base: e.base, http: hc}, s.CSRF
	}
	pw := server.DemoPassword
	if role == otherSup {
		pw = "sue-password"
	}
	c := &client{t: e.t, base: e.base}
	var pair api.TokenPair
	must(e.t, c.do("POST", "/v1/auth/login", api.Login{Username: names[role], Password: pw}, ""), 200, &pair)
	c.token = pair.AccessToken
	return c, ""
}

func newAuthzEnv(t *testing.T, base string) *authzEnv {
	e := &authzEnv{t: t, base: base}
	e.clients[anon] = &client{t: t, base: base}
	e.clients[agent] = login(t, base, "alice")
	e.clients[otherAgent] = login(t, base, "bob")
	e.clients[sup] = login(t, base, "sam")
	must(t, e.clients[sup].do("POST", "/v1/users", api.NewUser{Username: "sue", Password: "sue-password", Role: api.RoleSupervisor,
		Queues: []string{"support"}}, ""), 201, nil)
	sue := &client{t: t, base: base}
	var pair api.TokenPair
	must(t, sue.do("POST", "/v1/auth/login", api.Login{Username: "sue", Password: "sue-password"}, ""), 200, &pair)
	sue.token = pair.AccessToken
	e.clients[otherSup] = sue
	hc := browserish(t)
	res, body := send(t, hc, "POST", base+"/v1/console/login", api.Login{Username: "sam", Password: server.DemoPassword},
		map[string]string{"X-Homeshore-Console": "1", "Content-Type": "application/json"})
	var s consoleSession
	if res.StatusCode != 200 || jsonDecode(body, &s) != nil {
		t.Fatalf("console login: %d %s", res.StatusCode, body)
	}
	e.csrf = s.CSRF
	e.clients[cookieNoCSRF] = &client{t: t, base: base, http: hc}
	e.clients[cookieCSRF] = &client{t: t, base: base, http: hc}
	var me api.User
	must(t, e.clients[agent].get("/v1/me"), 200, &me)
	e.aliceID = me.ID
	return e
}

// try sends one probe as role and returns the status and the start of the body.
func (e *authzEnv) try(method string, pr probe, role int) (int, string) {
	path := strings.NewReplacer("{alice}", e.aliceID).Replace(pr.path)
	if strings.Contains(path, "{help}") {
		// A fresh help request of alice's for every taker.
		e.n++
		e.helpID = fmt.Sprintf("authz-help-%d-%d", time.Now().UnixNano(), e.n)
		must(e.t, e.clients[agent].do("POST", "/v1/help", api.NewHelp{ID: e.helpID, SentAt: time.Now()}, newKey()), 201, nil)
		path = strings.ReplaceAll(path, "{help}", e.helpID)
	}
	c := e.clients[role]
	csrf := e.csrf
	if pr.fresh {
		c, csrf = e.freshClient(role)
	}
	var body []byte
	if pr.body != nil {
		b, err := json.Marshal(pr.body(e, role))
		if err != nil {
			e.t.Fatal(err)
		}
		body = b
	}
	ctx, cancel := context.WithTimeout(e.t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.base+path, strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if method != "GET" {
		req.Header.Set("Idempotency-Key", newKey())
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if role == cookieCSRF {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	hc := c.http
	if hc == nil {
		hc = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	res, err := hc.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	// A stream never ends by itself: its status and first bytes are enough.
	b := make([]byte, 300)
	n, _ := io.ReadAtLeast(res.Body, b, 1)
	return res.StatusCode, string(b[:n])
}

// TestSupervisorScope: a supervisor manages their own queues only. sue
// (support) cannot add an account, supervisor or agent, to billing (it
// would see billing's agents); a queue she creates is hers and takes her
// accounts; "creating" a queue that exists makes her no member of it. An
// agent asking for a monitoring grant learns nothing about which usernames
// exist.
func TestSupervisorScope(t *testing.T) {
	p := startServer(t, "sqlite")
	e := newAuthzEnv(t, p.URL)
	sue := e.clients[otherSup]
	for _, role := range []string{api.RoleSupervisor, api.RoleAgent} {
		r := sue.do("POST", "/v1/users", api.NewUser{Username: "mole-" + role, Password: "long-enough", Role: role, Queues: []string{"billing"}}, "")
		if r.Status != 403 {
			t.Errorf("sue adds a %s to billing: %d %s, want 403", role, r.Status, r.Body)
		}
	}
	must(t, sue.do("POST", "/v1/queues", map[string]string{"name": "escalations"}, ""), 201, nil)
	must(t, sue.do("POST", "/v1/users", api.NewUser{Username: "esc-agent", Password: "long-enough", Role: api.RoleAgent,
		Queues: []string{"escalations", "support"}}, ""), 201, nil)
	must(t, sue.do("POST", "/v1/queues", map[string]string{"name": "billing"}, ""), 200, nil)
	var me api.User
	must(t, sue.get("/v1/me"), 200, &me)
	if strings.Join(me.Queues, ",") != "escalations,support" {
		t.Errorf("sue's queues: %v, want escalations and support", me.Queues)
	}
	alice := e.clients[agent]
	for _, who := range []string{"bob", "no-such-user"} {
		if r := alice.do("POST", "/v1/monitor/grants", api.GrantRequest{Agent: who, Mode: "listen"}, ""); r.Status != 403 {
			t.Errorf("agent asks a grant for %s: %d %s, want 403", who, r.Status, r.Body)
		}
	}
}

// TestNoCrossOrigin: the API grants no other origin anything: a preflight
// or a request from a foreign page gets no Access-Control-Allow-* header,
// so a page elsewhere can neither send credentials nor read an answer.
func TestNoCrossOrigin(t *testing.T) {
	p := startServer(t, "sqlite")
	sam := login(t, p.URL, "sam")
	for _, c := range []struct{ method, path string }{{"OPTIONS", "/v1/tickets"}, {"OPTIONS", "/v1/console/login"},
		{"GET", "/v1/live/agents"}, {"POST", "/v1/messages"}, {"GET", "/v1/health"}} {
		req, _ := http.NewRequest(c.method, p.URL+c.path, nil)
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Authorization", "Bearer "+sam.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for k := range res.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s %s from another origin: %s: %s", c.method, c.path, k, res.Header.Get(k))
			}
		}
	}
}
