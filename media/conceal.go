package media

import "math"

// Burst concealment. A decoder's PLC extrapolates the last pitch period,
// which holds for a frame or two; over a burst it turns into a buzzing
// repetition. After the first concealed frames the concealer fades the
// PLC out and comfort noise in, at the level of the call's background
// (the quietest recent frames), so a burst sounds like a short drop-out
// in the room rather than a robot voice. The first good frame after the
// burst is faded back in.
const (
	concealKeep    = 2    // concealed frames left as the decoder made them
	concealFadeDB  = 6.0  // attenuation per further frame, dB
	noiseFloorMax  = 300  // comfort noise never louder than this RMS (about -40 dBFS)
	noiseFloorRise = 1.02 // per good frame the floor may creep up
)

// concealer post-processes the playout's frames; one per player.
type concealer struct {
	run   int     // concealed frames in a row
	floor float64 // background RMS estimate
	seen  bool    // floor has a value
	rng   uint32
	lp    float64 // noise low-pass state
}

// good notes a decoded frame (not concealed) and fades in after a burst.
func (c *concealer) good(frame []int16) {
	if c.run > concealKeep {
		// Fade in over this frame from the level the burst ended at.
		g0 := c.gain()
		for i := range frame {
			g := g0 + (1-g0)*float64(i)/float64(len(frame))
			frame[i] = int16(float64(frame[i]) * g)
		}
	}
	c.run = 0
	if r := frameRMS(frame); r < c.floor || !c.seen {
		c.floor, c.seen = r, true // quieter: follow at once
	} else {
		c.floor = min(c.floor*noiseFloorRise+1, r) // louder: creep up
	}
	c.floor = min(c.floor, noiseFloorMax)
}

// concealed fades a frame the decoder concealed, from the third of a run
// on, towards comfort noise.
func (c *concealer) concealed(frame []int16) {
	c.run++
	if c.run <= concealKeep {
		return
	}
	g := c.gain()
	g0 := g * math.Pow(10, concealFadeDB/20) // the previous frame's gain
	noise := c.floor * math.Sqrt(3)          // uniform noise of RMS floor
	for i := range frame {
		gi := g0 + (g-g0)*float64(i)/float64(len(frame))
		c.rng = c.rng*1664525 + 1013904223
		u := float64(int32(c.rng)) / float64(math.MaxInt32) * noise
		c.lp += 0.5 * (u - c.lp) // a little low-pass: room noise, not hiss
		v := float64(frame[i])*gi + c.lp*(1-gi)
		frame[i] = int16(max(min(v, math.MaxInt16), math.MinInt16))
	}
}

// gain is the PLC's share in the current frame of a run.
func (c *concealer) gain() float64 {
	return math.Pow(10, -concealFadeDB*float64(c.run-concealKeep)/20)
}

// A pause: a frame no louder than quietOverFloor times the background,
// or quietLevel, whichever is higher, and never above quietMax.
const (
	quietOverFloor = 3.0
	quietLevel     = 100  // RMS, about -50 dBFS
	quietMax       = 1000 // RMS, about -30 dBFS: speech is louder
)

// quiet reports whether frame is a pause in speech (silence or the
// call's background), where the jitter buffer may drop a frame unheard.
func (c *concealer) quiet(frame []int16) bool {
	r := frameRMS(frame)
	return r <= quietMax && r <= max(quietOverFloor*c.floor, quietLevel)
}

func frameRMS(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}
