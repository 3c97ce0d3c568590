package ui

import "testing"

// TestSoundDefaultMovedIsANotice: calls stay on the checked headset when
// the computer's default sound device changes mid-shift, so the agent is
// told (a blue strip naming both), not stopped; the strip goes when the
// default comes back, and at the end of the shift.
func TestSoundDefaultMovedIsANotice(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "fr")
	c.handle(SoundDefaultChanged{Away: true, Output: "Écouteurs BT", Headset: "Poly Blackwire 3220"})
	want := c.tr.T("notice.default_moved", "Écouteurs BT", "Poly Blackwire 3220")
	if !c.frame.notice.root.Visible() || c.frame.notice.text.Text != want || c.alert != "" || len(f.states) != 0 {
		t.Fatalf("notice %q visible %v, alert %q, states %v", c.frame.notice.text.Text, c.frame.notice.root.Visible(), c.alert, f.states)
	}
	c.handle(SoundDefaultChanged{Headset: "Poly Blackwire 3220"})
	if c.frame.notice.root.Visible() {
		t.Fatal("the notice must go when the default is the headset again")
	}
	c.handle(SoundDefaultChanged{Away: true, Output: "Écouteurs BT", Headset: "Poly Blackwire 3220"})
	c.endShift()
	if c.frame.notice.root.Visible() {
		t.Fatal("the notice must go at the end of the shift")
	}
}
