package mixer

import (
	"sync"
	"sync/atomic"

	"github.com/homeshore/homeshore/media"
)

// writeDepth is how many frames a session's Write may queue before it
// blocks until the mixer takes one: the mixer's clock then paces the
// session's playout, with at most this much latency added.
const writeDepth = 2

// Port is one party of the mix. What the party says comes from the
// source given to Play (read by the tick itself: a session's playout, so
// nothing queues between its jitter buffer and the mix) or from Write;
// Read returns what it hears. Read and Write block like an audio device
// (RealTime), so an RTP session runs on the mixer's clock; they return
// ErrRemoved after Remove or Close. Read and Write may be used by one
// goroutine each.
type Port struct {
	m    *Mixer
	name string
	slot int

	writeDepth int
	hears      uint64                    // bit set of slots; guarded by m.mu
	pulled     media.Source              // set by Play; guarded by m.mu
	cur        [media.FrameSamples]int16 // this tick's input; under m.mu
	backlog    int                       // ticks in a row that left an offered frame queued; under m.mu

	mu  sync.Mutex
	in  ring
	out ring

	inTaken  chan struct{} // signalled when the mixer took an input frame
	outReady chan struct{} // signalled when a mixed frame is queued
	removed  chan struct{}
	once     sync.Once

	underruns atomic.Uint64 // ticks with no input frame
	dropped   atomic.Uint64 // input frames dropped: queue full, or queued too long
	missed    atomic.Uint64 // output frames dropped: nobody read them in time
	offered   atomic.Bool   // the input comes from offer (a device on its own clock)
}

func newPort(m *Mixer, name string, slot, depth int) *Port {
	return &Port{
		m: m, name: name, slot: slot, writeDepth: min(writeDepth, depth),
		in: newRing(depth), out: newRing(depth),
		inTaken: make(chan struct{}, 1), outReady: make(chan struct{}, 1), removed: make(chan struct{}),
	}
}

// Name is the port's name, as given to Add.
func (p *Port) Name() string { return p.name }

// String names the stage in media logs ("Mixer(agent)").
func (p *Port) String() string { return "Mixer(" + p.name + ")" }

// RealTime reports true: Read and Write block on the mixer's clock.
func (p *Port) RealTime() bool { return true }

// Write queues one frame of what this party says; it blocks while
// writeDepth frames wait for the mixer.
func (p *Port) Write(frame []int16) error {
	for {
		p.mu.Lock()
		if p.in.len() < p.writeDepth {
			p.in.push(frame)
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		select {
		case <-p.inTaken:
		case <-p.removed:
			return ErrRemoved
		}
	}
}

// Play makes the tick read what this party says from src (see
// media.Player): src.Read runs under the mix and must not block. Play(nil)
// goes back to Write. It returns once the previous source is no longer
// read.
func (p *Port) Play(src media.Source) error {
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	select {
	case <-p.removed:
		return ErrRemoved
	default:
	}
	p.pulled = src
	return nil
}

// offerDepth is how many frames a device may have waiting: a device
// running faster than the mixer would otherwise keep its queue full, a
// lasting delay; beyond this its oldest frame goes.
const offerDepth = 2

// trimWindow is how many ticks in a row an offered frame may stay queued
// behind the one taken (a device whose frames come just after the tick
// once came early twice) before it is dropped: past it, the queue is
// latency the device's clock no longer needs.
const trimWindow = 50

// offer queues a frame without ever blocking (a device, a file): past
// offerDepth frames waiting, the oldest is dropped.
func (p *Port) offer(frame []int16) {
	p.offered.Store(true)
	p.mu.Lock()
	for p.in.len() >= min(offerDepth, len(p.in.frames)) {
		p.in.drop()
		p.dropped.Add(1)
	}
	p.in.push(frame)
	p.mu.Unlock()
}

// Read returns the next frame this party hears, blocking until the mixer
// makes it.
func (p *Port) Read(frame []int16) error { return p.read(frame, nil) }

func (p *Port) read(frame []int16, quit <-chan struct{}) error {
	for {
		if p.takeOutput(frame) {
			return nil
		}
		select {
		case <-p.outReady:
		case <-p.removed:
			return ErrRemoved
		case <-quit:
			return ErrRemoved
		}
	}
}

// takeInput moves this tick's input frame to cur: read from the pulled
// source, or the oldest queued one; false on underrun. m.mu is held.
func (p *Port) takeInput() bool {
	if p.pulled != nil {
		if err := p.pulled.Read(p.cur[:]); err != nil {
			p.underruns.Add(1)
			return false
		}
		return true
	}
	p.mu.Lock()
	ok := p.in.pop(p.cur[:])
	if ok && p.in.len() > 0 && p.offered.Load() {
		if p.backlog++; p.backlog >= trimWindow {
			p.in.drop()
			p.dropped.Add(1)
			p.backlog = 0
		}
	} else {
		p.backlog = 0
	}
	p.mu.Unlock()
	if !ok {
		p.underruns.Add(1)
		return false
	}
	signal(p.inTaken)
	return true
}

// putOutput queues a mixed frame, dropping the oldest unread one if full.
func (p *Port) putOutput(frame []int16) {
	p.mu.Lock()
	if p.out.full() {
		p.out.drop()
		p.missed.Add(1)
	}
	p.out.push(frame)
	p.mu.Unlock()
	signal(p.outReady)
}

// takeNewest gives the newest mixed frame (dropping older ones, which a
// pulling device no longer needs), or silence.
func (p *Port) takeNewest(frame []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.out.len() > 1 {
		p.out.drop()
		p.missed.Add(1)
	}
	if !p.out.pop(frame) {
		clear(frame)
	}
}

func (p *Port) takeOutput(frame []int16) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.pop(frame)
}

func (p *Port) remove() { p.once.Do(func() { close(p.removed) }) }

// Stats are a port's queue figures since it was added.
type Stats struct {
	// Underruns counts ticks that found no frame from this party
	// (silence was mixed instead).
	Underruns uint64
	// Dropped counts frames from this party dropped because its queue was full.
	Dropped uint64
	// Missed counts mixed frames dropped because nobody read them in time.
	Missed uint64
}

// Stats returns the port's figures so far.
func (p *Port) Stats() Stats {
	return Stats{Underruns: p.underruns.Load(), Dropped: p.dropped.Load(), Missed: p.missed.Load()}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// ring is a fixed queue of frames; the caller holds the port's lock.
type ring struct {
	frames      [][media.FrameSamples]int16
	head, count int
}

func newRing(n int) ring { return ring{frames: make([][media.FrameSamples]int16, n)} }

func (r *ring) len() int   { return r.count }
func (r *ring) full() bool { return r.count == len(r.frames) }

func (r *ring) push(f []int16) {
	copy(r.frames[(r.head+r.count)%len(r.frames)][:], f)
	r.count++
}

func (r *ring) pop(f []int16) bool {
	if r.count == 0 {
		return false
	}
	copy(f, r.frames[r.head][:])
	r.head = (r.head + 1) % len(r.frames)
	r.count--
	return true
}

func (r *ring) drop() {
	r.head = (r.head + 1) % len(r.frames)
	r.count--
}
