package sip_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/sip"
)

// monitorSetup is an agent user agent on a call with a customer, and a
// supervisor user agent, all direct on loopback.
func monitorSetup(t *testing.T) (agent, supervisor *sip.UA, agentCall *sip.Call) {
	t.Helper()
	agent, cust, supervisor := newUA(t, sip.Config{User: "agent"}), newUA(t, sip.Config{User: "cust"}), newUA(t, sip.Config{User: "sam"})
	out, err := cust.Dial(ctxFor(t, 5*time.Second), "sip:agent@"+agent.SIPAddr().String(), silentAudio(t))
	if err != nil {
		t.Fatal(err)
	}
	agentCall = nextIncoming(t, agent, 5*time.Second)
	if err := agentCall.Answer(ctxFor(t, 5*time.Second), silentAudio(t)); err != nil {
		t.Fatal(err)
	}
	if err := out.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	return agent, supervisor, agentCall
}

// asSeenBy is the agent's own view of its call, as a Join sent to it names it.
func asSeenBy(c *sip.Call) string {
	r := c.RefForPeer()
	r.ToTag, r.FromTag = r.FromTag, r.ToTag
	return r.String()
}

// TestJoinNamesTheCall: an INVITE with Join (RFC 3911) naming the agent's
// call reaches the agent's owner as a monitoring request in barge mode with
// that call, without ringing; switches by re-INVITE and by INFO go
// through the gate. A Join naming no call gets 481.
func TestJoinNamesTheCall(t *testing.T) {
	t.Parallel()
	agent, sup, agentCall := monitorSetup(t)
	target := "sip:agent@" + agent.SIPAddr().String()

	c, err := sup.Dial(ctxFor(t, 5*time.Second), target, silentAudio(t), sip.WithHeader("Join", asSeenBy(agentCall)), sip.WithHeader(sip.HeaderGrant, "tok"))
	if err != nil {
		t.Fatal(err)
	}
	in := nextIncoming(t, agent, 5*time.Second)
	req, ok := in.Monitor()
	if !ok || req.Joined != agentCall || req.Mode != sip.ModeBarge || req.Grant != "tok" {
		t.Fatalf("monitoring request %+v (ok %v), want barge on the agent's call with the grant", req, ok)
	}
	var gated []string
	in.SetMonitorGate(func(mode string) error {
		gated = append(gated, mode)
		if mode == sip.ModeListen {
			return errors.New("not in the grant")
		}
		return nil
	})
	if err := in.Answer(ctxFor(t, 5*time.Second), silentAudio(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := c.SwitchMonitorMode(ctxFor(t, 5*time.Second), sip.ModeWhisper); err != nil {
		t.Fatalf("switch to whisper: %v", err)
	}
	waitCallEvent(t, in, 5*time.Second, func(e sip.CallEvent) bool {
		m, ok := e.(sip.MonitorModeChanged)
		return ok && m.Mode == sip.ModeWhisper
	})
	if err := c.SwitchMonitorMode(ctxFor(t, 5*time.Second), sip.ModeListen); !sip.IsStatus(err, 403) {
		t.Fatalf("a switch the gate refuses: %v, want 403", err)
	}
	if req, _ := in.Monitor(); req.Mode != sip.ModeWhisper {
		t.Fatalf("mode %s after a refused switch, want whisper", req.Mode)
	}
	if err := c.SwitchMonitorModeByInfo(ctxFor(t, 5*time.Second), sip.ModeBarge); err != nil {
		t.Fatalf("switch to barge by INFO: %v", err)
	}
	waitCallEvent(t, in, 5*time.Second, func(e sip.CallEvent) bool { m, ok := e.(sip.MonitorModeChanged); return ok && m.Mode == sip.ModeBarge })
	if err := c.SwitchMonitorModeByInfo(ctxFor(t, 5*time.Second), sip.ModeListen); !sip.IsStatus(err, 403) {
		t.Fatalf("an INFO switch the gate refuses: %v, want 403", err)
	}
	if strings.Join(gated, ",") != "whisper,listen,barge,listen" {
		t.Fatalf("gate asked for %v", gated)
	}

	bogus := sip.DialogRef{CallID: "nope", ToTag: "a", FromTag: "b"}
	other, err := sup.Dial(ctxFor(t, 5*time.Second), target, silentAudio(t), sip.WithHeader("Join", bogus.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := other.WaitAnswered(ctxFor(t, 5*time.Second)); !sip.IsStatus(err, 481) {
		t.Fatalf("Join naming no call: %v, want 481", err)
	}
}

// TestMonitorRequestWithoutRinging: a request with the mode header (no
// Join) reaches the owner without a 180: listen offers recvonly, so the
// agent's answer only sends.
func TestMonitorRequestWithoutRinging(t *testing.T) {
	t.Parallel()
	agent, sup, _ := monitorSetup(t)
	c, err := sup.Dial(ctxFor(t, 5*time.Second), "sip:agent@"+agent.SIPAddr().String(), silentAudio(t), sip.MonitorDialOptions(sip.ModeListen, "tok")...)
	if err != nil {
		t.Fatal(err)
	}
	in := nextIncoming(t, agent, 5*time.Second)
	if req, ok := in.Monitor(); !ok || req.Mode != sip.ModeListen || req.Joined != nil {
		t.Fatalf("request %+v, want listen without a joined call", req)
	}
	if err := in.Answer(ctxFor(t, 5*time.Second), silentAudio(t)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	for {
		select {
		case ev := <-c.Events():
			if _, ok := ev.(sip.Ringing); ok {
				t.Fatal("the monitoring request rang")
			}
			continue
		default:
		}
		break
	}
	time.Sleep(300 * time.Millisecond)
	if st := in.Stats(); st.PacketsSent == 0 {
		t.Fatal("the agent's side sends nothing to a listening supervisor")
	}
	if st := c.Stats(); st.PacketsSent != 0 {
		t.Fatalf("a listening supervisor sent %d packets", st.PacketsSent)
	}
}
