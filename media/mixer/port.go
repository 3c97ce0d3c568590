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

// Port is one party of the mix. Write feeds it what the party says; Read
// returns what it hears. Both block like an audio device (RealTime), so an
// RTP session runs on the mixer's clock; they return ErrRemoved after
// Remove or Close. Read and Write may be used by one goroutine each.
type Port struct {
	m    *Mixer
	name string
	slot int

	writeDepth int
	hears      uint64                    // bit set of slots; guarded by m.mu
	cur        [media.FrameSamples]int16 // this tick's input; mix goroutine only

	mu  sync.Mutex
	in  ring
	out ring

	inTaken  chan struct{} // signalled when the mixer took an input frame
	outReady chan struct{} // signalled when a mixed frame is queued
	removed  chan struct{}
	once     sync.Once

	underruns atomic.Uint64 // ticks with no input frame
	dropped   atomic.Uint64 // input frames dropped: queue full
	missed    atomic.Uint64 // output frames dropped: nobody read them in time
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

// offerDepth is how many frames a device may have waiting: a device
// running faster than the mixer would otherwise keep its queue full, a
// lasting delay; beyond this its oldest frame goes.
const offerDepth = 2

// offer queues a frame without ever blocking (a device, a file): past
// offerDepth frames waiting, the oldest is dropped.
func (p *Port) offer(frame []int16) {
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

// takeInput moves the oldest input frame to cur; false on underrun.
func (p *Port) takeInput() bool {
	p.mu.Lock()
	ok := p.in.pop(p.cur[:])
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
