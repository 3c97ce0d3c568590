package server_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// TestLiveAcrossReplicas: two homeshore-server processes on one PostgreSQL
// database, as behind a load balancer. The agent talks to one, supervisors
// to the other: every change reaches the supervisor's stream (LISTEN/NOTIFY
// plus the event table), and nothing of the agent reaches a supervisor of
// another queue.
func TestLiveAcrossReplicas(t *testing.T) {
	dsn := newPgDatabase(t)
	key := t.TempDir() + "/monitor.key"
	args := []string{"--demo", "--monitor-key", key, "--presence-timeout", "2s", "--sweep-every", "200ms"}
	a := servertest.StartProcess(t, serverBin, servertest.Options{PgDSN: dsn, Args: args})
	b := servertest.StartProcess(t, serverBin, servertest.Options{PgDSN: dsn, Args: args})
	testLive(t, a.URL, b.URL)
}

// TestLiveSQLite: the same on the single-process SQLite default.
func TestLiveSQLite(t *testing.T) {
	p := startServer(t, "sqlite", "--presence-timeout", "2s", "--sweep-every", "200ms")
	testLive(t, p.URL, p.URL)
}

func testLive(t *testing.T, agentURL, supURL string) {
	sam := login(t, supURL, "sam")
	must(t, sam.do("POST", "/v1/users", api.NewUser{Username: "sue", DisplayName: "Sue Support", Password: server.DemoPassword,
		Role: api.RoleSupervisor, Queues: []string{"support"}}, ""), 201, nil)
	sue := login(t, supURL, "sue")
	alice := login(t, agentURL, "alice")
	bob := login(t, agentURL, "bob")

	samStream := openStream(t, supURL, sam.token, "")
	samStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveSnapshot })
	snap := samStream.snapshot
	if len(snap.Agents) != 2 || snap.Agents[0].Username != "alice" || snap.Agents[0].State != api.StateOffline || snap.Agents[0].Connected {
		t.Fatalf("sam's first board: %+v", snap.Agents)
	}
	sueStream := openStream(t, supURL, sue.token, "")
	sueStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveSnapshot })
	for _, ag := range sueStream.snapshot.Agents {
		if ag.Username == "alice" {
			t.Fatalf("sue (support) sees alice (billing): %+v", sueStream.snapshot.Agents)
		}
	}
	aliceStream := openStream(t, agentURL, alice.token, "")
	aliceStream.next(func(name string, e api.LiveEvent) bool { return name == "ready" })

	// Clock-in with a failed-but-overridden check, through the agent events.
	now := time.Now().UTC().Truncate(time.Millisecond)
	report := json.RawMessage(`{"schema":1,"verdict":"fail","checks":[{"name":"headset","verdict":"pass","mandatory":true,"findings":[]},
{"name":"noise","verdict":"fail","mandatory":true,"findings":[{"code":"noise_high","verdict":"fail","message":"Close the door; noise 52 dBA, limit 45"}],"figures":{"l90_dbfs":-38.5}}]}`)
	must(t, alice.do("POST", "/v1/agent-events", api.AgentEvent{ID: "live-ci", Kind: api.EventClockIn, At: now,
		Reason: "noisy street, door closed", Precheck: &api.Precheck{Passed: false, Report: report}}, newKey()), 201, nil)
	got := samStream.next(agentIs("alice", func(a *api.AgentLive) bool { return a.State == api.StateAvailable }))
	pc := got.Agent.Precheck
	if pc == nil || pc.Passed || pc.Override != "noisy street, door closed" || len(pc.Checks) != 1 || pc.Checks[0].Name != "noise" ||
		!strings.Contains(pc.Checks[0].Findings[0], "52 dBA") || !strings.Contains(string(pc.Checks[0].Figures), "-38.5") {
		t.Fatalf("pre-shift result on the board: %+v", pc)
	}
	// A call with live quality from the app's status.
	answered := now.Add(3 * time.Second)
	status := api.LiveStatus{At: now.Add(4 * time.Second), State: api.StateOnCall, StateSince: answered, SIPURI: "sip:alice@127.0.0.1:5099",
		Call: &api.LiveCall{ID: "call-live-1@pbx", Direction: api.Inbound, Number: "(202) 555-0147", StartedAt: now.Add(time.Second),
			AnsweredAt: &answered, Quality: &api.CallQuality{Codec: "opus", MOS: 4.1, LossPct: 0.4, JitterMs: 8}}}
	must(t, alice.do("PUT", "/v1/live/status", status, ""), 204, nil)
	got = samStream.next(agentIs("alice", func(a *api.AgentLive) bool { return a.Call != nil }))
	if !got.Agent.Connected || got.Agent.State != api.StateOnCall || got.Agent.Call.Number != "+12025550147" ||
		got.Agent.Call.Quality.MOS != 4.1 || got.Agent.SIPURI != "sip:alice@127.0.0.1:5099" {
		t.Fatalf("on call: %+v %+v", got.Agent, got.Agent.Call)
	}
	// A second call rings during the first (call waiting) while the phone
	// line is down: the board keeps the call being talked in, shows the
	// waiting one beside it, and the line down since when.
	down := now.Add(5 * time.Second)
	status.At = now.Add(6 * time.Second)
	status.Waiting = &api.LiveCall{ID: "call-live-2@pbx", Direction: api.Inbound, Number: "06 12 34 56 78", StartedAt: down}
	status.Line = &api.LiveLine{State: api.LineReconnecting, Since: &down, Detail: "the SIP server does not answer"}
	bad := status
	bad.Line = &api.LiveLine{State: "sideways"}
	must(t, alice.do("PUT", "/v1/live/status", bad, ""), 400, nil)
	must(t, alice.do("PUT", "/v1/live/status", status, ""), 204, nil)
	got = samStream.next(agentIs("alice", func(a *api.AgentLive) bool { return a.Waiting != nil }))
	if a := got.Agent; a.Call == nil || a.Call.ID != "call-live-1@pbx" || a.Waiting.ID != "call-live-2@pbx" || a.Waiting.AnsweredAt != nil ||
		a.Line == nil || a.Line.State != api.LineReconnecting || a.Line.Since == nil || !a.Line.Since.Equal(down) ||
		a.Line.Detail != "the SIP server does not answer" {
		t.Fatalf("call waiting during a line outage: call %+v waiting %+v line %+v", a.Call, a.Waiting, a.Line)
	}
	// A late state event from the outbox (older than what is shown) changes nothing visible.
	must(t, alice.do("POST", "/v1/agent-events", api.AgentEvent{ID: "live-old", Kind: api.EventState, State: api.StateBreak,
		At: now.Add(time.Second)}, newKey()), 201, nil)
	status.At, status.State, status.StateSince, status.Call = now.Add(9*time.Second), api.StateWrapUp, now.Add(9*time.Second), nil
	status.Waiting, status.Line = nil, &api.LiveLine{State: api.LineRegistered}
	must(t, alice.do("PUT", "/v1/live/status", status, ""), 204, nil)
	samStream.noneBefore(agentIs("alice", func(a *api.AgentLive) bool { return a.State == api.StateBreak }),
		agentIs("alice", func(a *api.AgentLive) bool {
			return a.State == api.StateWrapUp && a.Call == nil && a.Waiting == nil && a.Line != nil && a.Line.State == api.LineRegistered
		}))

	// Help: raised on one replica, highlighted on the other, taken, the agent told.
	must(t, alice.do("POST", "/v1/help", api.NewHelp{ID: "help-1", Body: "Customer asks for a refund over my limit", SentAt: now}, newKey()), 201, nil)
	h := samStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveHelp })
	if h.Message.From != "alice" || h.Message.TakenBy != "" {
		t.Fatalf("help: %+v", h.Message)
	}
	must(t, sue.do("POST", "/v1/help/help-1/take", nil, ""), 404, nil)
	var taken api.Message
	must(t, sam.do("POST", "/v1/help/help-1/take", nil, ""), 200, &taken)
	if taken.TakenBy != "sam" || taken.TakenAt == nil {
		t.Fatalf("taken: %+v", taken)
	}
	must(t, sam.do("POST", "/v1/help/help-1/take", nil, ""), 200, nil)
	aliceStream.next(func(name string, e api.LiveEvent) bool {
		return name == api.LiveHelp && e.Message.ID == "help-1" && e.Message.TakenBy == "sam"
	})
	// Messages: to one agent, to a queue, from the agent to the supervisors.
	must(t, sam.do("POST", "/v1/messages", api.NewMessage{ID: "m-1", To: "alice", Body: "Take your break at 11", SentAt: now}, newKey()), 201, nil)
	must(t, sam.do("POST", "/v1/messages", api.NewMessage{ID: "m-2", Queue: "billing", Body: "Outage on invoices", SentAt: now}, newKey()), 201, nil)
	must(t, alice.do("POST", "/v1/messages", api.NewMessage{ID: "m-3", Body: "OK, thanks", SentAt: now}, newKey()), 201, nil)
	for _, id := range []string{"m-1", "m-2", "m-3"} {
		aliceStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveMessage && e.Message.ID == id })
	}
	samStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveMessage && e.Message.ID == "m-3" })
	if r := alice.do("POST", "/v1/messages", api.NewMessage{ID: "m-4", Queue: "billing", Body: "hi all", SentAt: now}, newKey()); r.Status != 403 {
		t.Fatalf("agent broadcast: %d", r.Status)
	}
	if r := alice.do("POST", "/v1/messages", api.NewMessage{ID: "m-5", To: "bob", Body: "psst", SentAt: now}, newKey()); r.Status != 403 {
		t.Fatalf("agent to agent: %d", r.Status)
	}
	if r := sue.do("POST", "/v1/messages", api.NewMessage{ID: "m-6", To: "alice", Body: "hello", SentAt: now}, newKey()); r.Status != 403 {
		t.Fatalf("sue to alice: %d", r.Status)
	}
	var page api.MessagePage
	must(t, alice.get("/v1/messages"), 200, &page)
	if ids := msgIDs(page.Messages); ids != "help-1,m-1,m-2,m-3" {
		t.Fatalf("alice's messages: %s", ids)
	}
	must(t, bob.get("/v1/messages"), 200, &page)
	if len(page.Messages) != 0 {
		t.Fatalf("bob sees %s", msgIDs(page.Messages))
	}
	must(t, sue.get("/v1/messages"), 200, &page)
	if len(page.Messages) != 0 {
		t.Fatalf("sue sees %s", msgIDs(page.Messages))
	}

	// Presence: the app goes quiet; the board says so on its own.
	samStream.next(agentIs("alice", func(a *api.AgentLive) bool { return !a.Connected }))

	// A stream resuming after an event gets what followed, nothing earlier.
	resumed := openStream(t, supURL, sam.token, "1")
	first := resumed.next(func(string, api.LiveEvent) bool { return true })
	if first.Seq < 2 || first.Kind == api.LiveSnapshot {
		t.Fatalf("resumed stream starts with %+v", first)
	}

	// Sue saw nothing of alice all along: her next event is about bob.
	must(t, bob.do("POST", "/v1/agent-events", api.AgentEvent{ID: "bob-ci", Kind: api.EventClockIn, At: now,
		Precheck: &api.Precheck{Passed: true}}, newKey()), 201, nil)
	sueStream.noneBefore(func(name string, e api.LiveEvent) bool {
		return (e.Agent != nil && e.Agent.Username == "alice") || (e.Message != nil && (e.Message.From == "alice" || e.Message.To == "alice"))
	}, agentIs("bob", func(a *api.AgentLive) bool { return a.State == api.StateAvailable }))
	var board api.LiveBoard
	must(t, sue.get("/v1/live/agents"), 200, &board)
	if len(board.Agents) != 1 || board.Agents[0].Username != "bob" || len(board.Help) != 0 {
		t.Fatalf("sue's board: %+v", board)
	}
	must(t, alice.get("/v1/live/agents"), 403, nil)
	testGrants(t, agentURL, supURL, sam, sue, alice)
}

func msgIDs(ms []api.Message) string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return strings.Join(ids, ",")
}

// testGrants: grants per the contract, the public key, the session log.
func testGrants(t *testing.T, agentURL, supURL string, sam, sue, alice *client) {
	var pk api.PublicKey
	must(t, (&client{t: t, base: agentURL}).get("/v1/monitor/public-key"), 200, &pk)
	var pk2 api.PublicKey
	must(t, (&client{t: t, base: supURL}).get("/v1/monitor/public-key"), 200, &pk2)
	pub, err := base64.StdEncoding.DecodeString(pk.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize || pk.PublicKey != pk2.PublicKey {
		t.Fatalf("public keys %q %q: %v", pk.PublicKey, pk2.PublicKey, err)
	}
	var g api.Grant
	must(t, sam.do("POST", "/v1/monitor/grants", api.GrantRequest{Agent: "alice", Mode: api.ModeWhisper}, ""), 201, &g)
	payload, sig, ok := strings.Cut(g.Grant, ".")
	p, err1 := base64.RawURLEncoding.DecodeString(payload)
	s, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil || !ed25519.Verify(pub, p, s) {
		t.Fatalf("grant %q does not verify", g.Grant)
	}
	var c api.GrantClaims
	if err := json.Unmarshal(p, &c); err != nil {
		t.Fatal(err)
	}
	if c.V != 1 || c.Iss != "homeshore-server" || c.Sup != "sam" || c.Agent != "alice" || c.Exp-c.Iat > 120 || c.Exp <= c.Iat ||
		len(c.JTI) < 16 || !strings.Contains(strings.Join(c.Modes, ","), "whisper") || g.AgentURI != "sip:alice@127.0.0.1:5099" ||
		g.ExpiresAt.Unix() != c.Exp {
		t.Fatalf("claims %+v, grant %+v", c, g)
	}
	for _, who := range []*client{sue, alice} {
		must(t, who.do("POST", "/v1/monitor/grants", api.GrantRequest{Agent: "alice", Mode: api.ModeListen}, ""), 403, nil)
	}
	must(t, sam.do("POST", "/v1/monitor/grants", api.GrantRequest{Agent: "nobody", Mode: api.ModeListen}, ""), 404, nil)
	must(t, sam.do("POST", "/v1/monitor/grants", api.GrantRequest{Agent: "alice", Mode: "spy"}, ""), 400, nil)

	samStream := openStream(t, supURL, sam.token, "")
	start := time.Now().UTC().Truncate(time.Millisecond)
	sess := api.MonitorSession{ID: "sess-1", Supervisor: "sam", Agent: "alice", CallID: "call-live-2@pbx", Mode: api.ModeListen,
		StartedAt: start, Modes: []api.ModeChange{{Mode: api.ModeListen, At: start}}}
	must(t, alice.do("POST", "/v1/monitor/sessions", sess, ""), 201, nil)
	samStream.next(agentIs("alice", func(a *api.AgentLive) bool { return a.Monitor != nil && a.Monitor.Supervisor == "sam" }))
	open := sess
	end := start.Add(30 * time.Second)
	sess.EndedAt, sess.Mode = &end, api.ModeWhisper
	sess.Modes = append(sess.Modes, api.ModeChange{Mode: api.ModeWhisper, At: start.Add(10 * time.Second)})
	must(t, alice.do("POST", "/v1/monitor/sessions", sess, ""), 200, nil)
	must(t, alice.do("POST", "/v1/monitor/sessions", sess, ""), 200, nil) // resent by the outbox
	must(t, alice.do("POST", "/v1/monitor/sessions", open, ""), 200, nil) // a late copy never reopens it
	samStream.next(agentIs("alice", func(a *api.AgentLive) bool { return a.Monitor == nil }))
	var list struct {
		Sessions []api.MonitorSession `json:"sessions"`
	}
	must(t, sam.get("/v1/monitor/sessions?agent=alice"), 200, &list)
	if len(list.Sessions) != 1 || list.Sessions[0].EndedAt == nil || !list.Sessions[0].EndedAt.Equal(end) || len(list.Sessions[0].Modes) != 2 ||
		list.Sessions[0].Mode != api.ModeWhisper {
		t.Fatalf("sessions: %+v", list.Sessions)
	}
	must(t, sue.get("/v1/monitor/sessions?agent=alice"), 200, &list)
	if len(list.Sessions) != 0 {
		t.Fatalf("sue sees alice's sessions: %+v", list.Sessions)
	}
	bob := login(t, agentURL, "bob")
	sess.ID = "sess-2"
	must(t, bob.do("POST", "/v1/monitor/sessions", sess, ""), 403, nil)
}
