package audiocmp

import (
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// TestFindLocatesEachTurn: in a recording where two parties spoke in turn
// through a telephone line, each sentence is found at its place, and a
// sentence nobody said is not; the pause between them is silence.
func TestFindLocatesEachTurn(t *testing.T) {
	t.Parallel()
	a := testenv.Espeak(t, sentence)
	b := testenv.EspeakVoice(t, "en-us", otherSentence)
	conv := telephone(t, testenv.Concat(t, testenv.Pad(t, a, 2*time.Second, 0), testenv.Pad(t, b, 3*time.Second, time.Second)))
	ra, err := Find(a, conv)
	if err != nil || !ra.OK() {
		t.Fatalf("first turn: %v, %v", ra, err)
	}
	if ra.Lag < 2200*time.Millisecond || ra.Lag > 2400*time.Millisecond {
		t.Errorf("first turn at %v, want about 2.3 s", ra.Lag)
	}
	rb, err := Find(b, conv)
	if err != nil || !rb.OK() || rb.Lag <= ra.Lag {
		t.Fatalf("second turn: %v, %v (first at %v)", rb, err, ra.Lag)
	}
	never := testenv.Espeak(t, "Nobody in this call ever says this particular sentence at all.")
	if rn, err := Find(never, conv); err == nil && rn.OK() {
		t.Fatalf("a sentence nobody said was found: %v", rn)
	}
	if l, err := LevelDBFS(conv, 0, 2*time.Second); err != nil || l > SilenceDBFS {
		t.Fatalf("the lead-in is %.1f dBFS (%v), want silence", l, err)
	}
}

// TestFindSegmentsSurvivesUnderruns: a sentence played out with two gaps
// (a sound device under-running) is still found; another is not.
func TestFindSegmentsSurvivesUnderruns(t *testing.T) {
	t.Parallel()
	sent := testenv.Espeak(t, sentence)
	dir := t.TempDir()
	a, b, c, stretched := dir+"/a.wav", dir+"/b.wav", dir+"/c.wav", dir+"/stretched.wav"
	sox(t, sent, a, "trim", "0", "1")
	sox(t, sent, b, "trim", "1", "1")
	sox(t, sent, c, "trim", "2")
	sox(t, a, testenv.Pad(t, b, 150*time.Millisecond, 0), testenv.Pad(t, c, 200*time.Millisecond, 0), stretched)
	played := telephone(t, testenv.Pad(t, stretched, 3*time.Second, 2*time.Second))
	r, err := FindSegments(sent, played, 4)
	if err != nil || !r.OK() {
		t.Fatalf("stretched sentence: %v, %v", r, err)
	}
	other := testenv.Espeak(t, otherSentence)
	if r, err := FindSegments(other, played, 4); err == nil && r.OK() {
		t.Fatalf("another sentence matched: %v", r)
	}
}
