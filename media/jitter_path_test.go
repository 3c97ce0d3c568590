package media

import (
	"slices"
	"sort"
	"testing"
	"time"
)

// path describes how a stream reaches the receiver in pathRun: packet i
// leaves at i frames times (1+skew) and arrives delay(i) later, unless
// lost(i); dupAfter > 0 delivers a second copy of every packet that much
// after the first (a network that duplicates).
type path struct {
	frames   int
	skew     float64
	delay    func(i int) time.Duration
	lost     func(i int) bool
	dupAfter time.Duration
}

// pathPop is one frame the receiver played: the packet's index (-1 for a
// concealed or silent frame), and how long after the packet was sent it
// was played (mouth-to-ear, without the codec's and devices' share).
type pathPop struct {
	index int
	delay time.Duration
}

// pathRun plays a stream through the path into a jitter buffer fed the
// way the session feeds it (arrival times, RFC 3550 jitter), popping a
// frame every 20 ms of the receiver's clock, with a pause in speech in the
// last 200 ms of every 2 s. Sequence numbers start near the wrap.
func pathRun(p path) []pathPop {
	type arrival struct {
		at time.Time
		i  int
	}
	t0 := time.Unix(5000, 0)
	sentAt := func(i int) time.Time {
		return t0.Add(time.Duration(float64(i) * float64(FrameDuration) * (1 + p.skew)))
	}
	var arrivals []arrival
	for i := range p.frames {
		if p.lost != nil && p.lost(i) {
			continue
		}
		at := sentAt(i).Add(p.delay(i))
		arrivals = append(arrivals, arrival{at, i})
		if p.dupAfter > 0 {
			arrivals = append(arrivals, arrival{at.Add(p.dupAfter), i})
		}
	}
	sort.SliceStable(arrivals, func(a, b int) bool { return arrivals[a].at.Before(arrivals[b].at) })

	jb := newJitterBuffer()
	var rx rxStats
	const firstSeq = 65500
	cur, nxt := make([]byte, maxPayloadSize), make([]byte, maxPayloadSize)
	var out []pathPop
	next := 0
	for k := 0; ; k++ {
		now := t0.Add(time.Duration(k)*FrameDuration + 7*time.Millisecond)
		if next >= len(arrivals) && !now.Before(sentAt(p.frames).Add(time.Second)) {
			// The stream has ended: what follows its last packet is not
			// concealment.
			for len(out) > 0 && out[len(out)-1].index < 0 {
				out = out[:len(out)-1]
			}
			return out
		}
		for ; next < len(arrivals) && !arrivals[next].at.After(now); next++ {
			a := arrivals[next]
			seq := uint16(firstSeq + a.i)
			rx.update(9, seq, uint32(a.i*FrameSamples), true, a.at, SampleRate)
			jb.Push(seq, 9, []byte{byte(a.i >> 16), byte(a.i >> 8), byte(a.i)}, false, a.at)
			jb.SetJitter(rx.jitterDuration())
		}
		jb.SetQuiet(k%100 >= 90)
		switch kind, _, _ := jb.Pop(now, cur, nxt); kind {
		case popPacket:
			i := int(cur[0])<<16 | int(cur[1])<<8 | int(cur[2])
			out = append(out, pathPop{i, now.Sub(sentAt(i))})
		default:
			out = append(out, pathPop{-1, 0})
		}
	}
}

// pathSummary gives, over the pops from..to (indexes into pops), the
// frames not played from a packet and the median mouth-to-ear delay of the
// played ones.
func pathSummary(pops []pathPop, from, to int) (missing int, median time.Duration) {
	var ds []time.Duration
	for _, p := range pops[from:min(to, len(pops))] {
		if p.index < 0 {
			missing++
			continue
		}
		ds = append(ds, p.delay)
	}
	slices.Sort(ds)
	if len(ds) > 0 {
		median = ds[len(ds)/2]
	}
	return missing, median
}

func constDelay(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

// The paths a home line takes in a call: the buffer must come back to a
// small delay after each change, and conceal only what the change itself
// cost.
func TestJitterBufferFollowsPathChanges(t *testing.T) {
	const base = 20 * time.Millisecond
	clean := pathRun(path{frames: 1500, delay: constDelay(base)})
	_, cleanDelay := pathSummary(clean, 200, 1500)
	if cleanDelay > base+2*FrameDuration {
		t.Fatalf("clean path: mouth-to-ear %v over a %v path", cleanDelay, base)
	}
	cases := []struct {
		name string
		p    path
		// after is the pop from which the delay must be back near the
		// clean one, with at most missing frames concealed from there on.
		after, missing int
		// within is the most frames concealed over the whole call.
		within int
	}{
		{
			name: "route change: delay 20 -> 170 ms",
			p: path{frames: 1500, delay: func(i int) time.Duration {
				if i >= 500 {
					return base + 150*time.Millisecond
				}
				return base
			}},
			after: 700, within: 150/20 + 3,
		},
		{
			name: "route change: delay 170 -> 20 ms",
			p: path{frames: 1500, delay: func(i int) time.Duration {
				if i < 500 {
					return base + 150*time.Millisecond
				}
				return base
			}},
			// The 150 ms it no longer needs are trimmed frame by frame.
			after: 1000, within: 150/20 + 3,
		},
		{
			name:  "2 s outage",
			p:     path{frames: 1500, delay: constDelay(base), lost: func(i int) bool { return i >= 500 && i < 600 }},
			after: 650, within: 100 + 3,
		},
		{
			name:  "the network duplicates every packet at once",
			p:     path{frames: 1500, delay: constDelay(base), dupAfter: time.Millisecond},
			after: 200,
		},
		{
			name:  "the network duplicates every packet 30 ms later",
			p:     path{frames: 1500, delay: constDelay(base), dupAfter: 30 * time.Millisecond},
			after: 200,
		},
		{
			name:  "sender's clock 0.5 % fast",
			p:     path{frames: 4000, delay: constDelay(base), skew: -0.005},
			after: 200,
		},
		{
			name: "sender's clock 0.5 % slow",
			p:    path{frames: 4000, delay: constDelay(base), skew: 0.005},
			// A frame is missing each time the receiver catches up with
			// the sender (every 4 s): 20 in 80 s.
			after: 200, missing: 25, within: 25,
		},
	}
	for _, c := range cases {
		pops := pathRun(c.p)
		total, _ := pathSummary(pops, 50, len(pops))
		missing, delay := pathSummary(pops, c.after, len(pops))
		_, tail := pathSummary(pops, len(pops)-300, len(pops))
		t.Logf("%s: %d frames concealed, %d after pop %d; median mouth-to-ear %v from there, %v over the last 6 s",
			c.name, total, missing, c.after, delay, tail)
		if total > max(c.within, c.missing) {
			t.Errorf("%s: %d frames concealed, want at most %d", c.name, total, max(c.within, c.missing))
		}
		if missing > c.missing {
			t.Errorf("%s: %d frames concealed after pop %d, want at most %d", c.name, missing, c.after, c.missing)
		}
		extra := c.p.delay(len(pops)) - base
		for _, d := range []time.Duration{delay, tail} {
			if d > cleanDelay+extra+FrameDuration {
				t.Errorf("%s: mouth-to-ear %v, want at most %v (clean %v plus the path's own %v, plus a frame)",
					c.name, d, cleanDelay+extra+FrameDuration, cleanDelay, extra)
			}
		}
	}
}
