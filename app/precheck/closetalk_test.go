package precheck

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/config"
)

// talkKnownMisses: cases whose proximity today differs from the label (each
// counts as wrong in the accuracy); the test asserts today's value so a
// change is noticed.
var talkKnownMisses = map[string]string{
	"heldout_44_close_s9_4cm": ProximityUnclear, // fast reading, few abrupt offsets: 17.5 dB, in the gray band
}

// TestCloseTalkCorpus rates every case of the close-talk corpus: a headset
// boom must read close, a laptop or webcam microphone distant; the gray
// cases (a desk microphone at 10–18 cm) are shown, not scored. With
// HOMESHORE_TALK_TABLE=FILE it writes the table published in docs/precheck.md.
func TestCloseTalkCorpus(t *testing.T) {
	pol := config.DefaultPolicy().Checks.Microphone
	var table strings.Builder
	table.WriteString("| case | family | T60 s | V m³ | noise dB | AGC dB | label | got | decay dB | speech/room dB | speech/gaps dB |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	type score struct{ n, right, falsePass, falseFail int }
	scores := map[string]*score{"tuning": {}, "heldout": {}}
	for _, s := range talkCorpus(t) {
		m := judgeMic(s.room, s.speech, false, pol)
		f := m.Figures.(*MicFigures)
		got := f.Proximity
		ct := f.CloseTalk
		if ct == nil {
			t.Fatalf("%s: no close-talk figures: %s", s.name, dump(m.Findings))
		}
		want := s.label
		if miss, ok := talkKnownMisses[s.name]; ok {
			want = miss
		}
		if s.group != "gray" && got != want {
			t.Errorf("%s: proximity %s, want %s (%+v)", s.name, got, want, *ct)
		}
		if sc, ok := scores[s.group]; ok {
			sc.n++
			switch {
			case got == s.label:
				sc.right++
			case s.label == ProximityDistant && got == ProximityClose:
				sc.falsePass++
			case s.label == ProximityClose && got == ProximityDistant:
				sc.falseFail++
			}
		}
		mark := got
		if s.group != "gray" && got != s.label {
			mark = "**" + got + "**"
		}
		fmt.Fprintf(&table, "| %s | %s | %.2f | %.0f | %.0f | %.0f | %s | %s | %.1f | %.1f | %.1f |\n", s.name, s.family, s.t60, s.volume,
			s.noiseDB, s.agcDB, s.label, mark, ct.DecayDB, ct.SpeechToRoomDB, ct.SpeechToGapsDB)
	}
	table.WriteString("\n")
	for _, g := range []string{"tuning", "heldout"} {
		sc := scores[g]
		fmt.Fprintf(&table, "%s: %d of %d right, %d distant taken for close, %d close taken for distant. ", g, sc.right, sc.n, sc.falsePass, sc.falseFail)
		if sc.falsePass > 0 {
			t.Errorf("%s: %d distant microphones taken for headsets", g, sc.falsePass)
		}
	}
	table.WriteString("\n")
	t.Log("\n" + table.String())
	if p := os.Getenv("HOMESHORE_TALK_TABLE"); p != "" {
		if err := os.WriteFile(p, []byte(table.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The read sentence settles an unrecognised microphone (issue 11: the leak
// test cannot): close to the mouth passes it as a headset microphone, across
// the desk fails it, next to a recognised headset earpiece.
func TestSpeechSettlesAnUnknownMicrophone(t *testing.T) {
	var close, distant *talkSample
	for _, s := range talkCorpus(t) {
		s := s
		switch {
		case close == nil && s.group == "tuning" && s.label == ProximityClose:
			close = &s
		case distant == nil && s.group == "tuning" && s.label == ProximityDistant:
			distant = &s
		}
	}
	for _, c := range []struct {
		s     *talkSample
		want  Verdict
		code  string
		micOK bool
	}{{close, Pass, "acoustic_headset_mic", true}, {distant, Fail, "acoustic_distant_mic", false}} {
		a := newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
		room := c.s.room
		a.mic = func(i int) float32 { return room[i%len(room)] }
		speech := c.s.speech
		a.speech = func(i int) float32 { return speech[i%len(speech)] }
		rep, err := Run(context.Background(), Options{Policy: config.DefaultPolicy(), Output: devUSBOut.ID, Input: devPlainIn.ID, Audio: a,
			Devices: fixedDevices(devUSBOut, devPlainIn), Pins: NoPins{}, RoomSeconds: 1, Speak: func(context.Context) error { return nil }})
		if err != nil {
			t.Fatal(err)
		}
		for _, chk := range rep.Checks {
			if chk.Name == config.CheckHeadset && (chk.Verdict != c.want || !hasCode(chk, c.code)) {
				t.Errorf("%s: headset %s: %s", c.s.name, chk.Verdict, dump(chk.Findings))
			}
			if chk.Name == config.CheckMicrophone && hasCode(chk, "speech_distant") == c.micOK {
				t.Errorf("%s: microphone: %s", c.s.name, dump(chk.Findings))
			}
		}
	}
}

// The agent talking during the silent-room capture is named as such (their
// voice is close-talk), not as "voices… turn off the TV": the room could not
// be measured. A voice from across the room stays background voices.
func TestAgentTalkingDuringRoomTestIsNamed(t *testing.T) {
	pol := config.DefaultPolicy().Checks
	right, n := 0, 0
	for _, s := range talkCorpus(t) {
		if s.group == "gray" {
			continue
		}
		c := judgeRoom(s.speech, pol, nil)
		n++
		switch {
		case s.label == ProximityClose && c.Verdict == Error && hasCode(c, "room_agent_spoke"):
			right++
		case s.label == ProximityDistant && !hasCode(c, "room_agent_spoke"):
			right++
		default:
			t.Logf("%s: %s %s", s.name, c.Verdict, dump(c.Findings))
		}
		if s.label == ProximityDistant && hasCode(c, "room_agent_spoke") {
			t.Errorf("%s: a distant voice taken for the agent's: %s", s.name, dump(c.Findings))
		}
	}
	if right < n*9/10 {
		t.Errorf("agent's own voice named in %d of %d cases", right, n)
	}
	t.Logf("agent's own voice told from a distant one in %d of %d cases", right, n)
}
