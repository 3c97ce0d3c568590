package precheck

import (
	"context"
	"errors"
	"testing"

	"github.com/homeshore/homeshore/app/config"
)

// A read the agent can mend (mumbled far too quietly) is offered again
// with what went wrong; the second, good read is the one judged. Skipping
// keeps the failed read; reading badly every time stops after maxReads.
func TestReadAgainAfterAFailedRead(t *testing.T) {
	var close *talkSample
	for _, s := range talkCorpus(t) {
		if s.group == "tuning" && s.label == ProximityClose {
			s := s
			close = &s
			break
		}
	}
	errSkip := errors.New("skipped")
	for _, c := range []struct {
		name      string
		goodRead  int   // the read (1, 2, 3) that is spoken properly; 0: none
		answer    error // ReadAgain's answer
		wantAsked int
		wantFail  bool
	}{
		{"try again", 2, nil, 1, false},
		{"skip", 2, errSkip, 1, true},
		{"never heard", 0, nil, maxReads - 1, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := newFakeAudio(config.DefaultPolicy().Checks.Leak.ProbeMS)
			room, speech := close.room, close.speech
			a.mic = func(i int) float32 { return room[i%len(room)] }
			read := 0
			good := func(i int) float32 { return speech[i%len(speech)] }
			mumbled := func(i int) float32 { return room[i%len(room)] + speech[i%len(speech)]*0.002 }
			a.speech = mumbled
			next := func() {
				read++
				a.mu.Lock()
				a.speech = mumbled
				if read == c.goodRead {
					a.speech = good
				}
				a.mu.Unlock()
			}
			var asked []Finding
			rep, err := Run(context.Background(), Options{Policy: config.DefaultPolicy(), Output: devUSBOut.ID, Input: devPlainIn.ID,
				Audio: a, Devices: fixedDevices(devUSBOut, devPlainIn), Pins: NoPins{}, RoomSeconds: 1,
				Speak: func(context.Context) error { next(); return nil },
				ReadAgain: func(_ context.Context, why Finding) error {
					asked = append(asked, why)
					if c.answer == nil {
						next()
					}
					return c.answer
				}})
			if err != nil {
				t.Fatal(err)
			}
			if len(asked) != c.wantAsked {
				t.Fatalf("asked to read again %d times (%s), want %d", len(asked), dump(asked), c.wantAsked)
			}
			for _, f := range asked {
				if f.Verdict != Fail || f.Key == "" {
					t.Errorf("asked to read again for %s: want the failed finding, in catalogue form", dump(f))
				}
			}
			for _, chk := range rep.Checks {
				if chk.Name == config.CheckMicrophone && (chk.Verdict == Fail) != c.wantFail {
					t.Errorf("microphone %s: %s", chk.Verdict, dump(chk.Findings))
				}
			}
		})
	}
}
