package consoletest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/livestatus"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

// seedTeam adds agents with two hours of history (state changes, calls of
// varied quality, a failed check) and a current state each, so the
// wallboard and the indicators look like a working morning; it returns
// agent ids by username (demo agents included).
func seedTeam(t *testing.T, base string, sam *backend.HTTPBackend) map[string]string {
	t.Helper()
	now := time.Now().UTC()
	type step struct {
		after time.Duration // since clock-in
		state string
		call  *api.CallQuality
	}
	team := []struct {
		user, name, queue, state, reason string
		since                            time.Duration
		call                             *api.LiveCall
		check                            string
		steps                            []step
	}{
		{"chloe", "Chloé Bernard", "billing", api.StateAvailable, "", 4 * time.Minute, nil, "",
			[]step{{10 * time.Minute, api.StateOnCall, &api.CallQuality{Codec: "opus", MOS: 4.4, LossPct: 0.1, JitterMs: 6}},
				{17 * time.Minute, api.StateWrapUp, nil}, {19 * time.Minute, api.StateAvailable, nil},
				{50 * time.Minute, api.StateOnCall, &api.CallQuality{Codec: "opus", MOS: 4.2, LossPct: 0.6, JitterMs: 12}},
				{58 * time.Minute, api.StateWrapUp, nil}, {61 * time.Minute, api.StateAvailable, nil}}},
		{"david", "David Okafor", "billing", api.StateNotReady, "training", 12 * time.Minute, nil, "network",
			[]step{{20 * time.Minute, api.StateOnCall, &api.CallQuality{Codec: "pcma", MOS: 3.9, LossPct: 1.2, JitterMs: 18}},
				{31 * time.Minute, api.StateWrapUp, nil}, {35 * time.Minute, api.StateAvailable, nil}}},
		{"emma", "Emma Rossi", "support", api.StateBreak, "", 7 * time.Minute, nil, "",
			[]step{{5 * time.Minute, api.StateOnCall, &api.CallQuality{Codec: "opus", MOS: 4.3, LossPct: 0.2, JitterMs: 7}},
				{14 * time.Minute, api.StateWrapUp, nil}, {16 * time.Minute, api.StateAvailable, nil}}},
		{"farid", "Farid Haddad", "support", api.StateOnCall, "", 95 * time.Second, &api.LiveCall{ID: "seed-call-live", Direction: api.Outbound,
			Number: "+44 20 7183 8750", Quality: &api.CallQuality{Codec: "pcmu", MOS: 3.4, LossPct: 3.1, JitterMs: 31}}, "",
			[]step{{30 * time.Minute, api.StateOnCall, &api.CallQuality{Codec: "pcmu", MOS: 3.1, LossPct: 4.8, JitterMs: 42}},
				{41 * time.Minute, api.StateWrapUp, nil}, {44 * time.Minute, api.StateAvailable, nil}}},
		{"gina", "Gina Lopez", "billing", api.StateWrapUp, "", 40 * time.Second, nil, "",
			[]step{{25 * time.Minute, api.StateOnCall, &api.CallQuality{Codec: "opus", MOS: 4.1, LossPct: 0.9, JitterMs: 14}},
				{33 * time.Minute, api.StateWrapUp, nil}, {36 * time.Minute, api.StateAvailable, nil}}},
	}
	ids := map[string]string{}
	dispositions := []string{"resolved", "sale", "callback", "escalated"}
	for n, m := range team {
		var u api.User
		if err := sam.Do(t.Context(), "POST", "/v1/users", "", api.NewUser{Username: m.user, DisplayName: m.name, Password: server.DemoPassword,
			Role: api.RoleAgent, Queues: []string{m.queue}}, &u); err != nil {
			t.Fatal(err)
		}
		ids[m.user] = u.ID
		be := backend.NewHTTPBackend(base, &backend.MemoryTokenStore{}, nil)
		if err := be.Login(t.Context(), m.user, server.DemoPassword); err != nil {
			t.Fatal(err)
		}
		post := func(path, key string, v any) {
			t.Helper()
			if err := be.Do(t.Context(), "POST", path, key, v, nil); err != nil {
				t.Fatalf("%s %s: %v", m.user, path, err)
			}
		}
		start := now.Add(-2 * time.Hour)
		pc := &api.Precheck{Passed: true}
		reason := ""
		if m.check != "" {
			pc = &api.Precheck{Passed: false, Report: json.RawMessage(`{"schema":1,"verdict":"fail","checks":[{"name":"` + m.check +
				`","verdict":"fail","mandatory":true,"findings":[{"code":"jitter_high","verdict":"fail","message":"Jitter 46 ms, limit 20 ms: use the wired network"}],"figures":{"jitter_ms":46,"rtt_ms":61}}]}`)}
			reason = "Router restarted, jitter back to normal"
		}
		post("/v1/agent-events", m.user+"-ci", api.AgentEvent{ID: m.user + "-ci", Kind: api.EventClockIn, At: start, Reason: reason, Precheck: pc})
		var callStart time.Time
		var q *api.CallQuality
		for i, st := range m.steps {
			at := start.Add(st.after)
			post("/v1/agent-events", fmt.Sprintf("%s-e%d", m.user, i), api.AgentEvent{ID: fmt.Sprintf("%s-e%d", m.user, i), Kind: api.EventState, State: st.state, At: at})
			switch {
			case st.call != nil:
				callStart, q = at, st.call
			case st.state == api.StateWrapUp && q != nil:
				answered := callStart.Add(6 * time.Second)
				post("/v1/calls", fmt.Sprintf("%s-c%d", m.user, i), api.CallLog{CallID: fmt.Sprintf("seed-%s-%d", m.user, i), Direction: api.Inbound,
					Number: fmt.Sprintf("+1202555%04d", 100+n*10+i), StartedAt: callStart, AnsweredAt: &answered, EndedAt: at,
					Disposition: dispositions[(n+i)%len(dispositions)], Quality: *q})
				q = nil
			}
		}
		since := now.Add(-m.since)
		post("/v1/agent-events", m.user+"-now", api.AgentEvent{ID: m.user + "-now", Kind: api.EventState, State: m.state, Reason: m.reason, At: since})
		st := api.LiveStatus{At: now, State: m.state, Reason: m.reason, StateSince: since, Call: m.call}
		if st.Call != nil {
			st.Call.StartedAt, st.Call.AnsweredAt = since.Add(-5*time.Second), &since
		}
		if err := livestatus.NewHTTPSender(be).SendStatus(t.Context(), st); err != nil {
			t.Fatal(err)
		}
	}
	var board api.LiveBoard
	if err := sam.Do(t.Context(), "GET", "/v1/live/agents", "", nil, &board); err != nil {
		t.Fatal(err)
	}
	for _, a := range board.Agents {
		ids[a.Username] = a.AgentID
	}
	return ids
}
