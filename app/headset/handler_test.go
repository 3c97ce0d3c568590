package headset

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
)

// step is one moment of a call: the app sets a state (and the headset
// must get these output reports), or the headset sends an input report
// (and the app must see these presses).
type step struct {
	state   *CallState
	writes  [][]byte
	report  []byte
	presses []Button
}

func run(t *testing.T, file string, steps []step) {
	t.Helper()
	h := NewHandler(load(t, file))
	for i, s := range steps {
		if s.state != nil {
			got := h.SetState(*s.state)
			for _, w := range s.writes {
				if !slices.ContainsFunc(got, func(g []byte) bool { return bytes.Equal(g, w) }) {
					t.Fatalf("step %d: LED reports % x lack % x", i, got, w)
				}
			}
			continue
		}
		if got := h.Report(s.report); fmt.Sprint(got) != fmt.Sprint(s.presses) {
			t.Fatalf("step %d: report % x gave %v, want %v", i, s.report, got, s.presses)
		}
	}
}

var (
	idle    = &CallState{}
	ringing = &CallState{Ringing: true}
	onCall  = &CallState{OffHook: true}
	muted   = &CallState{OffHook: true, Muted: true}
)

// Jabra BIZ 2400 II: one input report (id 2: hook switch, line busy, then
// mute/flash/redial as push buttons, a keypad, button 7 = reject) and one
// LED report (id 2: off-hook, mute, ring, hold, mic, ringer). The hook
// switch follows the host's off-hook LED, so the host's own answer comes
// back from the headset as an echo.
func TestJabraCallStream(t *testing.T) {
	run(t, "jabra-biz-2400-ii-0b0e-2453.bin", []step{
		{state: ringing, writes: [][]byte{{0x02, 0x24, 0x00}}},
		{report: []byte{0x02, 0x00, 0x08}, presses: []Button{Reject}},
		{report: []byte{0x02, 0x00, 0x00}},
		{state: ringing},
		{report: []byte{0x02, 0x01, 0x00}, presses: []Button{Answer}},
		{state: onCall, writes: [][]byte{{0x02, 0x01, 0x00}}},
		{report: []byte{0x02, 0x01, 0x00}},                            // echo
		{report: []byte{0x02, 0x05, 0x00}, presses: []Button{Mute}},   // mute pressed
		{report: []byte{0x02, 0x01, 0x00}},                            // released
		{state: muted, writes: [][]byte{{0x02, 0x03, 0x00}}},          // mute LED on
		{report: []byte{0x02, 0x09, 0x00}, presses: []Button{Flash}},  // flash
		{report: []byte{0x02, 0x01, 0x00}},                            //
		{report: []byte{0x02, 0x00, 0x00}, presses: []Button{Hangup}}, // call button again
		{state: idle, writes: [][]byte{{0x02, 0x00, 0x00}}},           //
		{report: []byte{0x02, 0x00, 0x00}},                            //
		{state: ringing},                                              // next call,
		{state: onCall},                                               // answered on screen:
		{report: []byte{0x02, 0x01, 0x00}},                            // the echo is no press
		{state: idle},                                                 // hung up on screen:
		{report: []byte{0x02, 0x00, 0x00}},                            // echo again
		{report: []byte{0x01, 0x01}},                                  // a consumer report: not ours
		{report: []byte{0x02}},                                        // truncated: nothing
	})
}

// Jabra EVOLVE LINK MS: the same calls, its own layout (reject at bit 6).
func TestJabraEvolveLinkStream(t *testing.T) {
	run(t, "jabra-evolve-link-ms-0b0e-0307.bin", []step{
		{state: ringing},
		{report: []byte{0x02, 0x40, 0x00}, presses: []Button{Reject}},
		{report: []byte{0x02, 0x01, 0x00}, presses: []Button{Answer}},
		{state: onCall, writes: [][]byte{{0x02, 0x01, 0x00}}},
		{report: []byte{0x02, 0x05, 0x00}, presses: []Button{Mute}},
		{report: []byte{0x02, 0x00, 0x00}, presses: []Button{Hangup}},
	})
}

// Poly Blackwire C5220: input report 8 (mute push button, hook switch,
// flash, redial); one report per LED (mute 9, off-hook 0x17, ring 0x18).
func TestPolyBlackwireCallStream(t *testing.T) {
	for _, file := range []string{"poly-blackwire-c5220-047f-c053.bin", "poly-blackwire-3220-047f-c056.bin"} {
		t.Run(file, func(t *testing.T) {
			run(t, file, []step{
				{state: ringing, writes: [][]byte{{0x18, 0x01}, {0x17, 0x00}, {0x09, 0x00}}},
				{report: []byte{0x08, 0x02}, presses: []Button{Answer}},
				{state: onCall, writes: [][]byte{{0x18, 0x00}, {0x17, 0x01}}},
				{report: []byte{0x08, 0x03}, presses: []Button{Mute}},
				{report: []byte{0x08, 0x02}},
				{state: muted, writes: [][]byte{{0x09, 0x01}}},
				{report: []byte{0x08, 0x03}, presses: []Button{Mute}}, // unmute
				{report: []byte{0x08, 0x02}},
				{report: []byte{0x08, 0x06}, presses: []Button{Flash}},
				{report: []byte{0x08, 0x02}},
				{report: []byte{0x08, 0x00}, presses: []Button{Hangup}},
				{state: idle, writes: [][]byte{{0x17, 0x00}}},
			})
		})
	}
}

// Poly Voyager base: hook in report 1 with ring LED; mute and off-hook LEDs
// in reports of their own.
func TestPolyVoyagerCallStream(t *testing.T) {
	run(t, "poly-voyager-base-cd-047f-02ec.bin", []step{
		{state: ringing, writes: [][]byte{{0x01, 0x01}}},
		{report: []byte{0x01, 0x01}, presses: []Button{Answer}},
		{state: onCall, writes: [][]byte{{0x04, 0x01}, {0x01, 0x00}}},
		{report: []byte{0x01, 0x03}, presses: []Button{Mute}},
		{report: []byte{0x01, 0x00}, presses: []Button{Hangup}},
	})
}
