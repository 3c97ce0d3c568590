package core

import (
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// TestDeskRoutes: who hears whom for each state of the desk: one call, a
// consultation with the caller on hold, a conference (and one leg held out
// of it, and muted), and a supervisor in each monitoring mode, whatever
// direction the supervisor's phone negotiated.
func TestDeskRoutes(t *testing.T) {
	c := newTestCore(t, config.Profile{}, nil, func(o *Options) {
		o.OpenAudio = func(string, string) (sip.Audio, func() error, error) {
			return sip.Audio{Source: media.Silence()}, func() error { return nil }, nil
		}
	})
	d := c.phone.desk
	answered := func(name string) *leg {
		l, _, err := d.open(name, false)
		if err != nil {
			t.Fatal(err)
		}
		d.update(l, func(l *leg) { l.answered = true })
		return l
	}
	check := func(what, want string) {
		t.Helper()
		if got := d.describe(); !sameRoutes(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", what, got, want)
		}
	}
	cust := answered("cust")
	check("one call", "agent<-[cust] cust<-[agent]")

	d.update(cust, func(l *leg) { l.held = true })
	coll, _, err := d.open("coll", true)
	if err != nil {
		t.Fatal(err)
	}
	check("consultation ringing, caller held", "agent<-[coll] cust<-[] coll<-[]")
	d.update(coll, func(l *leg) { l.answered, l.dialing = true, false })
	check("consultation answered", "agent<-[coll] cust<-[] coll<-[agent]")

	for _, l := range []*leg{cust, coll} {
		d.update(l, func(l *leg) { l.held, l.inConf = false, true })
	}
	check("conference", "agent<-[cust,coll] cust<-[agent,coll] coll<-[agent,cust]")
	d.update(coll, func(l *leg) { l.held = true })
	check("a leg held out of the conference", "agent<-[cust] cust<-[agent] coll<-[]")
	d.update(coll, func(l *leg) { l.held = false })
	d.update(cust, func(l *leg) { l.muted = true })
	check("agent muted towards the customer", "agent<-[cust,coll] cust<-[coll] coll<-[agent,cust]")
	d.update(cust, func(l *leg) { l.muted = false })
	if err := d.release(coll); err != nil {
		t.Fatal(err)
	}
	check("colleague dropped: a plain call again", "agent<-[cust] cust<-[agent]")

	if _, err := d.startMonitor(cust, sip.ModeListen); err != nil {
		t.Fatal(err)
	}
	// Even a supervisor's phone that sends in listen mode is heard by nobody.
	check("listen", "agent<-[cust] cust<-[agent] supervisor<-[agent,cust]")
	d.setMonitorMode(sip.ModeWhisper)
	check("whisper", "agent<-[cust,supervisor] cust<-[agent] supervisor<-[agent,cust]")
	d.setMonitorMode(sip.ModeBarge)
	check("barge", "agent<-[cust,supervisor] cust<-[agent,supervisor] supervisor<-[agent,cust]")
	d.update(cust, func(l *leg) { l.held = true })
	check("monitored call held: the supervisor hears only the agent", "agent<-[supervisor] cust<-[] supervisor<-[agent]")
	if _, err := d.startMonitor(cust, sip.ModeListen); err == nil {
		t.Error("a second supervisor session was accepted")
	}
	if err := d.stopMonitor(); err != nil {
		t.Fatal(err)
	}
	if err := d.release(cust); err != nil {
		t.Fatal(err)
	}
	check("no calls", "no audio")
}
