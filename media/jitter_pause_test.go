package media

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// pauseRun drives a jitter buffer for frames pops 20 ms apart (the clock is
// the frame index). Packet k arrives 10 ms before pop k, except that
// packets spikeFrom..spikeFrom+spikeLen-1 are held back by a delay spike
// and arrive together, with the next one, at frame spikeFrom+spikeLen.
// Before each pop, quiet(i) says whether the frame played last was a
// pause. It returns one token per pop as jbRun does, and the frames at
// which a frame was dropped to trim delay.
func pauseRun(jb *jitterBuffer, frames, spikeFrom, spikeLen int, quiet func(i int) bool, setup func(i int)) (toks []string, trims []int) {
	t0 := time.Unix(1000, 0)
	cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
	for i := range frames {
		pop := t0.Add(time.Duration(i) * FrameDuration)
		if setup != nil {
			setup(i)
		}
		switch {
		case i >= spikeFrom && i < spikeFrom+spikeLen:
		case i == spikeFrom+spikeLen:
			for k := spikeFrom; k <= i; k++ {
				jb.Push(uint16(k), 1, []byte{byte(k >> 8), byte(k)}, false, pop.Add(-10*time.Millisecond))
			}
		default:
			jb.Push(uint16(i), 1, []byte{byte(i >> 8), byte(i)}, false, pop.Add(-10*time.Millisecond))
		}
		jb.SetQuiet(quiet(i))
		dropped := jb.stats.Dropped
		kind, _, _ := jb.Pop(pop, cur, nxt)
		if jb.stats.Dropped > dropped {
			trims = append(trims, i)
		}
		switch kind {
		case popPacket:
			toks = append(toks, fmt.Sprintf("P%d", uint16(cur[0])<<8|uint16(cur[1])))
		case popLost:
			toks = append(toks, "L")
		case popUnderrun:
			toks = append(toks, "U")
		default:
			toks = append(toks, "-")
		}
	}
	return toks, trims
}

// speechPauses is quiet for the last 10 frames (200 ms) of every 2 s.
func speechPauses(i int) bool { return i%100 >= 90 }

// A delay spike leaves the buffer a little deeper than it needs; the delay
// is then trimmed in the pauses between words, never in speech, and every
// packet is played: a trim drops a frame of the pause, not one of the
// words.
func TestJitterBufferTrimsInPauses(t *testing.T) {
	jb := newJitterBuffer()
	toks, trims := pauseRun(jb, 1500, 150, 3, speechPauses, nil)
	if len(trims) == 0 {
		t.Fatalf("the spike's delay was never trimmed; stats %+v", jb.stats)
	}
	for _, i := range trims {
		if !speechPauses(i) {
			t.Fatalf("trimmed at frame %d, in speech (trims at %v)", i, trims)
		}
	}
	if d := jb.depth(); d > jb.Target() {
		t.Fatalf("depth %d at the end, target %d: surplus left (trims at %v)", d, jb.Target(), trims)
	}
	if bad := strings.Count(strings.Join(toks, " "), "L"); bad != 0 {
		t.Fatalf("%d frames concealed as lost after trims at %v", bad, trims)
	}
}

// With no pause at all (music on hold, a talker who never stops) the
// surplus is still trimmed, a frame per jbQuietWait at most, so the delay
// a spike left does not stay for the whole call.
func TestJitterBufferTrimsSpeechWhenNoPauseComes(t *testing.T) {
	jb := newJitterBuffer()
	_, trims := pauseRun(jb, 1500, 150, 3, func(int) bool { return false }, nil)
	if len(trims) == 0 {
		t.Fatalf("never trimmed without pauses; stats %+v", jb.stats)
	}
	gap := int(jbQuietWait / FrameDuration)
	if trims[0] < 153+gap {
		t.Fatalf("first trim at frame %d, before waiting %v for a pause after the spike ended at frame 153", trims[0], jbQuietWait)
	}
	for k := 1; k < len(trims); k++ {
		if trims[k]-trims[k-1] < gap {
			t.Fatalf("trims at frames %v: less than %v apart in speech", trims, jbQuietWait)
		}
	}
	if d := jb.depth(); d > jb.Target() {
		t.Fatalf("depth %d at the end, target %d (trims at %v)", d, jb.Target(), trims)
	}
}

// Copies that come as RED blocks arrive late by design; how long they
// waited says nothing about how much delay the buffer can spare, so they
// do not keep it from trimming.
func TestJitterBufferRedundantCopiesDoNotBlockTrim(t *testing.T) {
	jb := newJitterBuffer()
	t0 := time.Unix(1000, 0)
	cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
	dropped := false
	for i := range 1500 {
		pop := t0.Add(time.Duration(i) * FrameDuration)
		switch {
		case i >= 150 && i < 156: // a delay spike, as in TestJitterBufferTrimsInPauses
		case i == 156:
			for k := 150; k <= i; k++ {
				jb.Push(uint16(k), 1, []byte{1}, false, pop.Add(-10*time.Millisecond))
			}
		case i%50 == 7:
			// Lost; its copy comes in a RED block (below).
		default:
			jb.Push(uint16(i), 1, []byte{1}, false, pop.Add(-10*time.Millisecond))
		}
		if s := jb.next; jb.playing && uint16(s)%50 == 7 && !jb.has(s) {
			// The copy of a lost packet comes in a later packet's RED
			// block just in time for its pop.
			jb.PushRedundant(uint16(s), 1, []byte{1}, pop.Add(-time.Millisecond))
		}
		jb.SetQuiet(true)
		jb.Pop(pop, cur, nxt)
		dropped = dropped || jb.stats.Dropped > 0
	}
	if !dropped {
		t.Fatalf("never trimmed: the copies' short wait held the delay; stats %+v", jb.stats)
	}
	if jb.stats.Underruns != 6 {
		t.Fatalf("stats %+v: want the spike's 6 underruns only (every lost packet played from its copy)", jb.stats)
	}
}

// A buffer far deeper than its target (a long stall, or a loaded machine
// stalling again and again) is trimmed without waiting for pauses, a
// frame every jbShrinkEvery pops: delay must not pile up faster than
// pauses come.
func TestJitterBufferTrimsFarSurplusInSpeech(t *testing.T) {
	jb := newJitterBuffer()
	_, trims := pauseRun(jb, 600, 150, 8, func(int) bool { return false }, nil)
	if len(trims) < 3 {
		t.Fatalf("trims at %v: want at least 3 without a pause; stats %+v", trims, jb.stats)
	}
	if trims[2]-trims[0] >= int(jbQuietWait/FrameDuration) {
		t.Fatalf("trims at %v: the far surplus waited for pauses", trims)
	}
	if d := jb.depth(); d > jb.Target() {
		t.Fatalf("depth %d at the end, target %d (trims at %v)", d, jb.Target(), trims)
	}
}
