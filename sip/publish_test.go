package sip_test

import (
	"encoding/xml"
	"strings"
	"testing"

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
