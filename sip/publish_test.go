package sip_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// TestPIDF: the published document is well-formed PIDF whatever the note
// says, with the basic status, the RPID activity and the agent's state.
func TestPIDF(t *testing.T) {
	p := sip.Presence{Activity: "busy", Note: `Not ready: <tech> & "network"`, State: "not_ready", Reason: "tech"}
	doc := p.PIDF("sip:agent@example.com")
	var got struct {
		XMLName xml.Name `xml:"urn:ietf:params:xml:ns:pidf presence"`
		Entity  string   `xml:"entity,attr"`
		Tuple   struct {
			Basic string `xml:"status>basic"`
			Note  string `xml:"note"`
		} `xml:"tuple"`
		Person struct {
			Activities struct {
				Inner string `xml:",innerxml"`
			} `xml:"urn:ietf:params:xml:ns:pidf:rpid activities"`
			State struct {
				Reason string `xml:"reason,attr"`
				Value  string `xml:",chardata"`
			} `xml:"urn:homeshore:params:xml:ns:agent-state agent-state"`
		} `xml:"urn:ietf:params:xml:ns:pidf:data-model person"`
	}
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatalf("not XML: %v\n%s", err, doc)
	}
	if got.Entity != "sip:agent@example.com" || got.Tuple.Basic != "closed" || got.Tuple.Note != p.Note ||
		!strings.Contains(got.Person.Activities.Inner, "busy") || got.Person.State.Value != "not_ready" || got.Person.State.Reason != "tech" {
		t.Fatalf("parsed %+v from\n%s", got, doc)
	}
	if open := (sip.Presence{Open: true}).PIDF("sip:a@b"); !strings.Contains(string(open), "<basic>open</basic>") {
		t.Fatalf("open presence: %s", open)
	}
}

// TestPublishRefreshModifyRemove: against sipp as the presence server
// (uas_publish.xml): the first PUBLISH carries the document, the refresh at
// 80 % of the granted lifetime carries SIP-If-Match and no body, a
// modification the server no longer knows (412) is published afresh, and
// Unpublish removes it with Expires: 0.
func TestPublishRefreshModifyRemove(t *testing.T) {
	t.Parallel()
	s := testenv.Sipp(t, "uas_publish.xml")
	clock := sip.NewFakeClock()
	ua := newUA(t, sip.Config{OutboundProxy: s.Addr(), Domain: "example.test", User: "agent", Clock: clock})
	if err := ua.Publish(ctxFor(t, 5*time.Second), sip.Presence{Open: true, Note: "Available", State: "available"}); err != nil {
		t.Fatalf("publish: %v\n%s", err, s.Logs())
	}
	waitArmed(t, clock, "the refresh is scheduled")
	clock.Advance(48 * time.Second) // 80 % of the 60 s granted
	waitArmed(t, clock, "refreshed, and the next refresh scheduled")
	if err := ua.Publish(ctxFor(t, 5*time.Second), sip.Presence{Open: true, Activity: "on-the-phone", State: "on_call"}); err != nil {
		t.Fatalf("modify after a 412: %v\n%s", err, s.Logs())
	}
	if err := ua.Unpublish(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func waitArmed(t *testing.T, clock *sip.FakeClock, what string) {
	t.Helper()
	select {
	case <-clock.WaitArmed(1):
	case <-time.After(10 * time.Second):
		t.Fatalf("not done within 10 s: %s", what)
	}
}
