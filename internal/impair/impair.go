// Package impair is a seeded user-space network impairer for tests and
// benchmarks: random or Gilbert-Elliott bursty loss, delay with jitter and
// reordering, applied to the packets it relays (a 127.0.0.1 UDP relay, or
// TUN devices between two network namespaces).
package impair

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Config says what happens to packets going one way.
type Config struct {
	// Seed makes a run repeatable: the same seed and packets give the same
	// losses and delays.
	Seed uint64
	// Loss is the probability that a packet is dropped (0..1), each one
	// independently. Ignored when Burst is set.
	Loss float64
	// Burst, when set, drops packets in bursts (Gilbert-Elliott).
	Burst *GilbertElliott
	// Delay is the mean one-way delay added; Jitter spreads each packet's
	// delay uniformly over Delay±Jitter (never below zero).
	Delay, Jitter time.Duration
	// Reorder lets a packet overtake an earlier one whose random delay was
	// longer (as on a real multi-path network); false keeps the order
	// (a packet never leaves before the one ahead of it).
	Reorder bool
}

// GilbertElliott is a two-state Markov loss model: in the good state
// packets are lost with LossGood, in the bad state with LossBad; each
// packet the chain moves good->bad with P and bad->good with R.
type GilbertElliott struct {
	P, R              float64
	LossGood, LossBad float64
}

// Bursts is the Gilbert-Elliott chain whose bad state loses every packet,
// the good state none, with the given mean loss (0..1) and mean burst
// length in packets: R = 1/burst, and the bad state's share P/(P+R) is
// the loss.
func Bursts(loss, burst float64) *GilbertElliott {
	r := 1 / burst
	return &GilbertElliott{P: loss * r / (1 - loss), R: r, LossBad: 1}
}

func (c Config) String() string {
	s := "clean"
	switch {
	case c.Burst != nil:
		g := c.Burst
		mean := g.P / (g.P + g.R)
		s = fmt.Sprintf("bursty loss %.0f%% (bursts of %.1f)", 100*(mean*g.LossBad+(1-mean)*g.LossGood), 1/g.R)
	case c.Loss > 0:
		s = fmt.Sprintf("random loss %.0f%%", 100*c.Loss)
	}
	if c.Delay > 0 || c.Jitter > 0 {
		s += fmt.Sprintf(", delay %v±%v", c.Delay, c.Jitter)
		if c.Reorder {
			s += " reordering"
		}
	}
	return s
}

// Impairer decides the fate of each packet of one direction. It is not
// safe for concurrent use; a relay owns one per direction.
type Impairer struct {
	cfg   Config
	rng   *rand.Rand
	bad   bool
	last  time.Time // latest delivery time given (order keeping)
	stats Stats
}

// Stats count what an Impairer did.
type Stats struct {
	Packets, Dropped uint64
	// Bursts is the number of runs of consecutive drops.
	Bursts   uint64
	lastDrop bool
}

// New returns an Impairer for cfg.
func New(cfg Config) *Impairer {
	return &Impairer{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
}

// Decide returns whether a packet arriving at now is dropped and, if not,
// when it is to be delivered.
func (im *Impairer) Decide(now time.Time) (drop bool, at time.Time) {
	im.stats.Packets++
	drop = im.lose()
	// The delay is drawn for dropped packets too, so a seed gives the same
	// delays whatever the loss settings.
	d := im.cfg.Delay
	if j := im.cfg.Jitter; j > 0 {
		d += time.Duration((im.rng.Float64()*2 - 1) * float64(j))
	}
	if drop {
		im.stats.Dropped++
		if !im.stats.lastDrop {
			im.stats.Bursts++
		}
		im.stats.lastDrop = true
		return true, time.Time{}
	}
	im.stats.lastDrop = false
	at = now.Add(max(d, 0))
	if !im.cfg.Reorder && at.Before(im.last) {
		at = im.last
	}
	im.last = at
	return false, at
}

func (im *Impairer) lose() bool {
	g := im.cfg.Burst
	if g == nil {
		return im.cfg.Loss > 0 && im.rng.Float64() < im.cfg.Loss
	}
	if im.bad {
		if im.rng.Float64() < g.R {
			im.bad = false
		}
	} else if im.rng.Float64() < g.P {
		im.bad = true
	}
	p := g.LossGood
	if im.bad {
		p = g.LossBad
	}
	return p > 0 && im.rng.Float64() < p
}

// Stats returns the counts so far.
func (im *Impairer) Stats() Stats { return im.stats }

// LossPercent is the share of packets dropped.
func (s Stats) LossPercent() float64 {
	if s.Packets == 0 {
		return 0
	}
	return 100 * float64(s.Dropped) / float64(s.Packets)
}

// MeanBurst is the mean length of a run of drops, in packets.
func (s Stats) MeanBurst() float64 {
	if s.Bursts == 0 {
		return 0
	}
	return float64(s.Dropped) / float64(s.Bursts)
}
