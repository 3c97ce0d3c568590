package media

import (
	"bytes"
	"testing"
	"time"
)

func TestREDRoundTrip(t *testing.T) {
	red, prim := bytes.Repeat([]byte{1}, 70), bytes.Repeat([]byte{2}, 90)
	b, ok := appendRED(nil, 111, 3*960, red, prim)
	if !ok || len(b) != 4+1+70+90 {
		t.Fatalf("RED payload %d bytes, ok %t", len(b), ok)
	}
	blocks, err := parseRED(b, make([]redBlock, 0, maxREDBlocks))
	if err != nil || len(blocks) != 2 {
		t.Fatalf("%v %v", blocks, err)
	}
	if blocks[0].pt != 111 || blocks[0].offset != 2880 || !bytes.Equal(blocks[0].data, red) ||
		blocks[1].pt != 111 || !bytes.Equal(blocks[1].data, prim) {
		t.Fatalf("blocks %+v", blocks)
	}
	// Primary only.
	b, _ = appendRED(nil, 111, 0, nil, prim)
	if blocks, err := parseRED(b, nil); err != nil || len(blocks) != 1 || !bytes.Equal(blocks[0].data, prim) {
		t.Fatalf("primary only: %v %v", blocks, err)
	}
	for _, bad := range [][]byte{{}, {0x80}, {0xef, 0, 0x04, 0x10, 111}, bytes.Repeat([]byte{0x80}, 40)} {
		if _, err := parseRED(bad, nil); err == nil {
			t.Fatalf("parsed %x", bad)
		}
	}
	if _, ok := appendRED(nil, 111, 1<<14, red, prim); ok {
		t.Fatal("offset beyond 14 bits accepted")
	}
}

func FuzzParseRED(f *testing.F) {
	b, _ := appendRED(nil, 111, 960, []byte{1, 2, 3}, []byte{4, 5})
	f.Add(b)
	f.Fuzz(func(t *testing.T, p []byte) {
		blocks, err := parseRED(p, make([]redBlock, 0, maxREDBlocks))
		if err != nil {
			return
		}
		total := 0
		for _, b := range blocks {
			total += len(b.data)
		}
		if total > len(p) || len(blocks) == 0 {
			t.Fatalf("%d blocks of %d bytes from %d", len(blocks), total, len(p))
		}
	})
}

// A RED stream between two sessions: while the adaptation asks for
// redundancy the packets go out as RED with the frame dupDelay back, no
// duplicate packets are sent, and the receiver plays the audio (a burst
// of losses is filled from the later packets' redundant blocks once the
// jitter buffer has learnt their distance).
func TestSessionREDRecoversBursts(t *testing.T) {
	t.Parallel()
	requireOrSkip(t, opusAvailable, "libopus (cgo build)")
	opus, _ := LookupCodec("opus")
	red := REDCodec(opus)
	a, b := newTestSession(t), newTestSession(t)
	relay := newLossyRelay(t)
	// Drop packets 25-28, 75-78, ... (bursts of 4 every second).
	relay.start(b.LocalAddr(), func(n int) bool { return n%50 >= 25 && n%50 < 29 })
	// As if the reports had shown 20 % loss in bursts of 4 (the real
	// ones from B keep it going: 4 % in runs of 4).
	a.adapt.mu.Lock()
	a.adapt.loss, a.adapt.burst, a.adapt.burstAt = 0.2, 4, time.Now()
	a.adapt.replan(time.Now())
	a.adapt.mu.Unlock()
	sink := newMemSink(10 * SampleRate)
	if err := b.Start(SessionParams{Remote: addrOf(relay.toA), Codec: opus, RED: &red}, nil, sink); err != nil {
		t.Fatal(err)
	}
	if err := a.Start(SessionParams{Remote: addrOf(relay.toB), Codec: opus, RED: &red}, &memSource{samples: speechLike(20*SampleRate, SampleRate)}, nil); err != nil {
		t.Fatal(err)
	}
	waitOrFail(t, sink.full, 30*time.Second, "10 s of audio")
	a.statsMu.Lock()
	dups, reds, sent := a.dups, a.redSent, a.sent
	a.statsMu.Unlock()
	if dups != 0 || reds < sent/2 {
		t.Fatalf("sent %d packets, %d with RED, %d duplicates (want RED only)", sent, reds, dups)
	}
	b.rxMu.Lock()
	jbs := b.jb.stats
	b.rxMu.Unlock()
	if jbs.Duplicate+jbs.Late < 100 {
		t.Fatalf("receiver saw %d redundant copies (jitter buffer %+v)", jbs.Duplicate+jbs.Late, jbs)
	}
	// Ten bursts of 4: the RED blocks tell the receiver their distance,
	// the buffer grows to it (concealing a few frames while it does) and
	// the bursts come back from the redundant blocks.
	// (A loaded machine adds stalls of its own: the bound leaves room.)
	if bs := b.Stats(); bs.PacketsLost < 32 || bs.Concealed*2 > bs.PacketsLost {
		t.Fatalf("receiver %+v: lost packets should mostly come back from RED (jitter buffer %+v; sender %+v)", bs, jbs, a.Stats())
	} else {
		t.Logf("receiver: %d packets lost, %d frames concealed, jitter buffer %+v", bs.PacketsLost, bs.Concealed, jbs)
	}
	got := sink.snapshot()
	c := segmentedCorrelation(envelope(speechLike(10*SampleRate, SampleRate), SampleRate), envelope(got, SampleRate), 10, 50)
	if c < 0.7 { // audiocmp.Threshold: the speech is there
		t.Fatalf("envelope correlation %.2f through RED with bursts", c)
	}
}
