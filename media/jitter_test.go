package media

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// jbRun drives a jitter buffer frame by frame: at frame i (time i*20 ms)
// the packets in arrivals[i] are pushed, then one frame is popped. The
// result is one token per pop: "-" silence, "P<seq>" packet, "L" lost
// (with "+<seq>" when the next packet was there for FEC), "U" underrun.
func jbRun(jb *jitterBuffer, ssrc uint32, arrivals map[int][]uint16, frames int) string {
	t0 := time.Unix(1000, 0)
	var out []string
	cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
	for i := range frames {
		now := t0.Add(time.Duration(i) * FrameDuration)
		for _, seq := range arrivals[i] {
			jb.Push(seq, ssrc, []byte{byte(seq >> 8), byte(seq)}, false, now)
		}
		kind, cn, nn := jb.Pop(now, cur, nxt)
		switch kind {
		case popSilence:
			out = append(out, "-")
		case popPacket:
			out = append(out, fmt.Sprintf("P%d", uint16(cur[0])<<8|uint16(cur[1])))
			_ = cn
		case popLost:
			if nn > 0 {
				out = append(out, fmt.Sprintf("L+%d", uint16(nxt[0])<<8|uint16(nxt[1])))
			} else {
				out = append(out, "L")
			}
		case popUnderrun:
			out = append(out, "U")
		}
	}
	return strings.Join(out, " ")
}

// newJB2 is a jitter buffer held at a minimum of two frames, the depth
// the table tests below were written for (FEC look-ahead from the start).
func newJB2() *jitterBuffer {
	jb := newJitterBuffer()
	jb.minFrames, jb.jitterTgt, jb.target = 2, 2, 2
	return jb
}

// steady gives packets first..first+n-1 arriving one per frame from frame
// start on, with edits applied (nil drops the packet at that index).
func steady(start int, first uint16, n int) map[int][]uint16 {
	m := map[int][]uint16{}
	for i := range n {
		m[start+i] = append(m[start+i], first+uint16(i))
	}
	return m
}

func TestJitterBufferInOrder(t *testing.T) {
	jb := newJB2()
	got := jbRun(jb, 1, steady(0, 100, 5), 7)
	// Prefill of two frames (target 2), then each packet in order.
	if want := "- P100 P101 P102 P103 P104 U"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if jb.stats.Underruns != 1 {
		t.Fatalf("stats %+v", jb.stats)
	}
}

func TestJitterBufferLossReorderDuplicateLate(t *testing.T) {
	jb := newJB2()
	arr := steady(0, 100, 10)
	arr[3] = nil           // 103 lost for good
	arr[5] = []uint16{106} // 105 and 106 swapped
	arr[6] = []uint16{105, 105}
	arr[8] = []uint16{108, 103} // 103 arrives far too late: dropped
	got := jbRun(jb, 7, arr, 11)
	want := "- P100 P101 P102 L+104 P104 P105 P106 P107 P108 P109"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if jb.stats.Duplicate != 1 || jb.stats.Late != 1 {
		t.Fatalf("stats %+v, want 1 duplicate and 1 late", jb.stats)
	}
}

func TestJitterBufferBurstLossWithoutFEC(t *testing.T) {
	jb := newJB2()
	arr := steady(0, 10, 10)
	arr[3], arr[4] = nil, nil // 13 and 14 lost: only 14's loss has 15 behind it
	got := jbRun(jb, 7, arr, 10)
	// 13 missing at the tail looks like an underrun (wait a frame); when
	// 15 shows there is more, that frame stands for 13, and 14 comes
	// from 15's FEC: two frames concealed for two lost, no added delay.
	if want := "- P10 P11 P12 U L+15 P15 P16 P17 P18"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestJitterBufferSequenceWrap(t *testing.T) {
	jb := newJB2()
	got := jbRun(jb, 9, steady(0, 65533, 6), 7)
	if want := "- P65533 P65534 P65535 P0 P1 P2"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestJitterBufferSSRCChange(t *testing.T) {
	jb := newJB2()
	t0 := time.Unix(1000, 0)
	cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
	jb.Push(1, 1, []byte{1}, false, t0)
	jb.Push(2, 1, []byte{2}, false, t0)
	if k, _, _ := jb.Pop(t0, cur, nxt); k != popPacket || cur[0] != 1 {
		t.Fatalf("first pop %v %d", k, cur[0])
	}
	// A new SSRC (the peer restarted its stream) with unrelated numbers.
	jb.Push(40000, 2, []byte{9}, false, t0)
	jb.Push(40001, 2, []byte{10}, false, t0)
	if k, _, _ := jb.Pop(t0, cur, nxt); k != popPacket || cur[0] != 9 {
		t.Fatalf("after SSRC change got %v %d, want packet 9", k, cur[0])
	}
	if jb.stats.Resets != 1 {
		t.Fatalf("stats %+v", jb.stats)
	}
}

func TestJitterBufferSequenceJumpNeedsConfirmation(t *testing.T) {
	jb := newJB2()
	t0 := time.Unix(1000, 0)
	for i := range uint16(3) {
		jb.Push(100+i, 1, []byte{byte(i)}, false, t0)
	}
	// One stray packet far away is ignored...
	if jb.Push(30000, 1, []byte{0xaa}, false, t0) {
		t.Fatal("stray jump accepted")
	}
	if !jb.Push(103, 1, []byte{3}, false, t0) {
		t.Fatal("in-sequence packet after a stray was refused")
	}
	// ...two consecutive ones restart the stream there.
	jb.Push(20000, 1, []byte{0xbb}, false, t0)
	if !jb.Push(20001, 1, []byte{0xbc}, false, t0) {
		t.Fatal("confirmed jump refused")
	}
	jb.Push(20002, 1, []byte{0xbd}, false, t0)
	cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
	// The old stream is flushed; the new one starts at the confirming packet.
	if k, _, _ := jb.Pop(t0, cur, nxt); k != popPacket || cur[0] != 0xbc {
		t.Fatalf("got %v %x, want packet bc", k, cur[0])
	}
}

func TestJitterBufferIdleThenResume(t *testing.T) {
	jb := newJB2()
	arr := steady(0, 1, 3)
	for seq, i := uint16(4), 30; i < 34; i, seq = i+1, seq+1 {
		arr[i] = []uint16{seq}
	}
	got := jbRun(jb, 1, arr, 35)
	// After the stream stops: underruns until jbIdleReset (300 ms), then
	// silence, then a fresh prefill when packets come back.
	want := "- P1 P2 P3 U U U U U U U U U U U U U U - - - - - - - - - - - - - P4 P5 P6 P7"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestJitterBufferAdaptsToJitter(t *testing.T) {
	jb := newJitterBuffer()
	jb.SetJitter(0)
	if jb.Target() != jbMinFrames {
		t.Fatalf("target %d at no jitter", jb.Target())
	}
	jb.SetJitter(30 * time.Millisecond) // ceil((90+5)/20) = 5
	if jb.Target() != 5 {
		t.Fatalf("target %d at 30 ms jitter, want 5", jb.Target())
	}
	jb.SetJitter(time.Second)
	if jb.Target() != jbMaxFrames {
		t.Fatalf("target %d at 1 s jitter, want max", jb.Target())
	}
}

// A burst that arrives all at once after a stall is played out, and the
// surplus depth is trimmed after a window.
func TestJitterBufferShrinksSurplus(t *testing.T) {
	jb := newJB2()
	arr := map[int][]uint16{}
	// Packets 0..9 arrive together at frame 0, then one per frame.
	for i := range uint16(10) {
		arr[0] = append(arr[0], i)
	}
	for i := 1; i < 120; i++ {
		arr[i] = []uint16{uint16(9 + i)}
	}
	jbRun(jb, 1, arr, 120)
	if jb.stats.Dropped == 0 {
		t.Fatalf("surplus never trimmed: %+v", jb.stats)
	}
	if d := int(jb.maxSeq - jb.next + 1); d > jb.Target()+1 {
		t.Fatalf("depth %d after trimming, target %d", d, jb.Target())
	}
}

// A burst of five lost packets stalls playout until the packets after it
// arrive; the frames concealed during the stall stand for the missing
// packets, so the buffer conceals five frames in all (the last one from
// FEC) and keeps its delay. Before, it concealed the burst twice (nine
// frames) and kept four frames of extra delay.
func TestJitterBufferLossBurstKeepsDelay(t *testing.T) {
	jb := newJB2()
	arr := steady(0, 100, 14)
	for i := 5; i < 10; i++ {
		arr[i] = nil
	}
	got := jbRun(jb, 3, arr, 14)
	want := "- P100 P101 P102 P103 P104 U U U U L+110 P110 P111 P112"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if jb.stats.Skipped != 4 {
		t.Fatalf("stats %+v, want 4 skipped", jb.stats)
	}
}

// A packet that is only late (a delay spike, nothing lost) is still played
// after the stall: the stall then is extra delay, trimmed later.
func TestJitterBufferLatePacketAfterStall(t *testing.T) {
	jb := newJB2()
	arr := steady(0, 100, 12)
	arr[5], arr[6], arr[7] = nil, nil, []uint16{105, 106, 107}
	got := jbRun(jb, 3, arr, 10)
	want := "- P100 P101 P102 P103 P104 U P105 P106 P107"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// The sender duplicates every packet 5 frames later (time-diverse
// duplication) and the path loses bursts of 4: the copies of the first
// burst come too late and raise the target; the second burst is where the
// buffer grows (it waits instead of concealing, then plays the copies);
// from then on bursts play from the copies without a concealed frame.
// Copies of packets already played count as duplicates, not as late.
func TestJitterBufferLearnsDuplicateDelay(t *testing.T) {
	jb := newJB2()
	const d = 5
	arr := map[int][]uint16{}
	lost := func(seq int) bool {
		return (seq >= 20 && seq < 24) || (seq >= 60 && seq < 64) || (seq >= 100 && seq < 104)
	}
	for i := range 130 {
		if !lost(i) {
			arr[i] = append(arr[i], uint16(1000+i))
		}
		if i >= d && !lost(i) {
			arr[i] = append(arr[i], uint16(1000+i-d))
		}
	}
	got := strings.Fields(jbRun(jb, 9, arr, 140))
	bad := func(from, to int) (n int) {
		for _, tok := range got[from:to] {
			if tok == "U" || strings.HasPrefix(tok, "L") {
				n++
			}
		}
		return n
	}
	if n := bad(0, 90); n == 0 || n > 2*4 {
		t.Fatalf("first two bursts concealed %d frames: %v", n, got[:90])
	}
	if n := bad(90, 135); n != 0 {
		t.Fatalf("the third burst concealed %d frames: %v", n, got[90:135])
	}
	if jb.stats.Duplicate < 100 || jb.stats.Late > 4 {
		t.Fatalf("stats %+v", jb.stats)
	}
}

// On a clean path a packet plays at the first pop after it arrived: no
// prefill beyond it, no frame of margin.
func TestJitterBufferCleanPathPlaysAtOnce(t *testing.T) {
	jb := newJitterBuffer()
	got := jbRun(jb, 1, steady(0, 100, 6), 6)
	if want := "P100 P101 P102 P103 P104 P105"; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// After a stall put a frame of delay in, the buffer drops it again only if
// every packet played over the last window would still have waited
// trimWait: a packet arriving 10 ms before its pop leaves room, one
// arriving 1 ms before does not (a trim would make it late at the next
// hiccup).
func TestJitterBufferTrimsOnlyWithMargin(t *testing.T) {
	for _, tc := range []struct {
		early time.Duration // arrival before the pop it plays at
		trims bool
	}{{10 * time.Millisecond, true}, {time.Millisecond, false}} {
		jb := newJitterBuffer()
		t0 := time.Unix(1000, 0)
		cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
		seq := uint16(0)
		for i := range 1000 { // 20 s: the late packet's depth is held jbLateHold
			pop := t0.Add(time.Duration(i) * FrameDuration)
			// Frame 50: the packet comes a frame late, once.
			if i != 50 {
				jb.Push(seq, 1, []byte{1}, false, pop.Add(-tc.early))
				seq++
			}
			if i == 51 {
				jb.Push(seq, 1, []byte{1}, false, pop.Add(-tc.early))
				seq++
			}
			jb.Pop(pop, cur, nxt)
		}
		depth := jb.depth()
		t.Logf("arriving %v early: depth %d at the end, %d dropped, wait %v", tc.early, depth, jb.stats.Dropped, jb.Delay())
		if trimmed := jb.stats.Dropped > 0; trimmed != tc.trims {
			t.Fatalf("arriving %v before the pop: trimmed %v, want %v (stats %+v)", tc.early, trimmed, tc.trims, jb.stats)
		}
		if tc.trims && (depth != 0 || jb.Delay() > 15*time.Millisecond) {
			t.Fatalf("after the trim: %d waiting after a pop, packets wait %v; want none, about 10 ms", depth, jb.Delay())
		}
	}
}
