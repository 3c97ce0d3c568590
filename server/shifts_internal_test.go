package server

import (
	"github.com/homeshore/homeshore/server/api"
	"testing"
	"time"
)

func TestShiftsFromEvents(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	yes := &api.Precheck{Passed: true}
	events := []api.AgentEvent{
		{AgentID: "a", Kind: api.EventState, State: "available", At: at(-5)}, // before any clock-in: ignored
		{AgentID: "a", Kind: api.EventClockIn, At: at(0), Precheck: yes},
		{AgentID: "a", Kind: api.EventState, State: "on_call", At: at(10)},
		{AgentID: "a", Kind: api.EventState, State: api.StateWrapUp, At: at(15)},
		{AgentID: "a", Kind: api.EventState, State: "break", At: at(17)},
		{AgentID: "a", Kind: api.EventClockOut, At: at(30)},
		{AgentID: "a", Kind: api.EventClockIn, State: "not_ready", At: at(60), Precheck: &api.Precheck{Passed: false}},
	}
	shifts := shiftsFrom(events, at(70))
	if len(shifts) != 2 {
		t.Fatalf("%d shifts", len(shifts))
	}
	s1, s2 := shifts[0], shifts[1]
	want1 := map[string]float64{"available": 600, "on_call": 300, api.StateWrapUp: 120, "break": 780}
	for k, v := range want1 {
		if s1.StateSeconds[k] != v {
			t.Errorf("shift 1 %s = %v, want %v", k, s1.StateSeconds[k], v)
		}
	}
	if s1.ClockOut == nil || !s1.PrecheckPassed {
		t.Errorf("shift 1: %+v", s1)
	}
	if s2.ClockOut != nil || s2.PrecheckPassed || s2.StateSeconds["not_ready"] != 600 {
		t.Errorf("open shift 2: %+v", s2)
	}
	ans := at(11)
	addCalls(s1, []api.CallLog{
		{StartedAt: at(10), AnsweredAt: &ans, TalkSeconds: 61},
		{StartedAt: at(12)}, // never answered: not handled, not paid
		{StartedAt: at(40), AnsweredAt: &ans, TalkSeconds: 30}, // after clock-out
	})
	if s1.Calls != 1 || s1.TalkSeconds != 61 || s1.BillableMinutes != 2 || s1.WrapUpSeconds != 120 {
		t.Errorf("shift 1 calls: %+v", s1)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := checkPassword(h, "correct horse"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, _ := checkPassword(h, "wrong horse"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, err := checkPassword("$argon2id$garbage", "x"); err == nil {
		t.Fatal("malformed hash accepted")
	}
	if ok, err := checkPassword(dummyHash, "x"); ok || err != nil {
		t.Fatalf("dummy hash: %v %v", ok, err)
	}
}

func TestTokens(t *testing.T) {
	s := tokenSigner{key: []byte("k1")}
	now := time.Unix(1000, 0)
	tok := s.sign(principal{UserID: "u", Role: api.RoleAgent, Exp: now.Add(time.Minute).Unix()})
	if p, ok := s.verify(tok, now); !ok || p.UserID != "u" {
		t.Fatalf("valid token refused")
	}
	if _, ok := s.verify(tok, now.Add(2*time.Minute)); ok {
		t.Fatal("expired token accepted")
	}
	if _, ok := (tokenSigner{key: []byte("k2")}).verify(tok, now); ok {
		t.Fatal("token signed with another key accepted")
	}
}
