// Package mixer mixes the audio of several parties (the agent's headset,
// call legs, a supervisor) on one 20 ms clock; a routing matrix says which
// inputs each output hears.
package mixer

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/homeshore/homeshore/media"
)

// MaxPorts bounds the parties of one mixer (routes are a bit set).
const MaxPorts = 64

// DefaultQueueFrames is how many 20 ms frames a port holds each way by
// default: enough for a loaded machine's scheduling hiccups, little enough
// to keep latency low.
const DefaultQueueFrames = 4

// maxCatchUp bounds how many ticks the mixer runs at once after it was
// descheduled; older ticks are skipped.
const maxCatchUp = 5

// ErrRemoved is returned by a port's Read and Write once it is removed
// or the mixer is closed.
var ErrRemoved = errors.New("mixer port removed")

// ErrFull means the mixer already has MaxPorts ports.
var ErrFull = fmt.Errorf("mixer full: at most %d parties", MaxPorts)

// Options configure a mixer.
type Options struct {
	// Clock paces the mix; nil means media.SystemClock().
	Clock  media.Clock
	Logger *slog.Logger
	// QueueFrames is each port's queue length each way; 0 means
	// DefaultQueueFrames.
	QueueFrames int
}

// Routes says, for each listening port, which ports it hears. A port
// never hears itself.
type Routes map[*Port][]*Port

// Mixer runs the mix from New until Close. Every tick it takes one frame
// from each port's input (silence when a party sent none: an underrun),
// and gives each port the sum of the inputs it hears (saturated to 16
// bits).
//
// What ticks it: a pulling headset (an attached media.Player), whose
// callback runs the tick each time it needs a frame, so the headset's
// clock paces every leg and what a leg plays goes to the ear with no queue
// in between; otherwise (and whenever that device stalls for
// deviceTakeover) the mixer's own 20 ms clock.
//
// Ports are media.Source and media.Sink for a call's RTP session: both
// report RealTime, and a Port is a media.Player, so a session's playout is
// read by the tick itself (a session that writes instead is held to
// writeDepth frames). What a leg hears is handed to its session as soon as
// it is mixed. Devices and files join through Attach. A capture device on
// its own clock is absorbed by a small queue: a full queue drops its
// oldest frame, an empty one gives silence for that tick, and a frame that
// stays queued a whole trimWindow is dropped, so the mixer adds at most a
// frame on the way out.
type Mixer struct {
	clock media.Clock
	log   *slog.Logger
	depth int

	mu       sync.Mutex
	slots    [MaxPorts]*Port
	attached []*Attachment // inline sources and sinks, run on the mix goroutine
	driver   *Attachment   // the pulling device that ticks the mix, if any
	drivenAt time.Time     // its last tick

	// Owned by the mix goroutine.
	acc   [media.FrameSamples]int32
	mixed [media.FrameSamples]int16

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// New starts a mixer. Close stops it.
func New(opts Options) *Mixer {
	if opts.Clock == nil {
		opts.Clock = media.SystemClock()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.QueueFrames <= 0 {
		opts.QueueFrames = DefaultQueueFrames
	}
	m := &Mixer{clock: opts.Clock, log: opts.Logger, depth: opts.QueueFrames,
		stop: make(chan struct{}), done: make(chan struct{})}
	go m.run()
	return m
}

// Add creates a port named name (for logs) that hears nobody and is heard
// by nobody until SetRoutes says otherwise.
func (m *Mixer) Add(name string) (*Port, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.stop:
		return nil, ErrRemoved
	default:
	}
	for i, s := range m.slots {
		if s == nil {
			p := newPort(m, name, i, m.depth)
			m.slots[i] = p
			return p, nil
		}
	}
	return nil, ErrFull
}

// Remove takes p out of the mix: its routes go, and its Read and Write
// return ErrRemoved. Removing twice is harmless.
func (m *Mixer) Remove(p *Port) {
	m.mu.Lock()
	if m.slots[p.slot] == p {
		m.slots[p.slot] = nil
		bit := uint64(1) << p.slot
		for _, q := range m.slots {
			if q != nil {
				q.hears &^= bit
			}
		}
	}
	m.mu.Unlock()
	p.remove()
}

// SetRoutes replaces every route at once (so a mode switch never lets a
// party hear what it should not, even for one frame). Ports not listed hear
// nobody.
func (m *Mixer) SetRoutes(r Routes) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.slots {
		if p == nil {
			continue
		}
		var bits uint64
		for _, q := range r[p] {
			if q != nil && q != p && m.slots[q.slot] == q {
				bits |= 1 << q.slot
			}
		}
		p.hears = bits
	}
}

// Describe prints the routes, e.g. "agent<-[customer] customer<-[agent]".
func (m *Mixer) Describe() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	for _, p := range m.slots {
		if p == nil {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.name + "<-[")
		first := true
		for _, q := range m.slots {
			if q != nil && p.hears&(1<<q.slot) != 0 {
				if !first {
					b.WriteByte(',')
				}
				b.WriteString(q.name)
				first = false
			}
		}
		b.WriteByte(']')
	}
	return b.String()
}

// Close stops the mix and releases every port's readers and writers. It
// does not close attached sources or sinks (see Attachment). It is
// idempotent.
func (m *Mixer) Close() error {
	m.closeOnce.Do(func() {
		close(m.stop)
		<-m.done
		m.mu.Lock()
		ports := m.slots
		m.slots = [MaxPorts]*Port{}
		m.mu.Unlock()
		for _, p := range ports {
			if p != nil {
				p.remove()
			}
		}
	})
	return nil
}

// deviceTakeover is how long a pulling device may leave the mix without
// a tick before the mixer's own clock takes over (a stalled or broken
// device must not stop a conference or a supervisor's leg).
const deviceTakeover = 3 * media.FrameDuration

func (m *Mixer) run() {
	defer close(m.done)
	ticker := m.clock.NewTicker(media.FrameDuration)
	defer ticker.Stop()
	start := m.clock.Now()
	var ticks int64
	for {
		select {
		case <-m.stop:
			return
		case <-ticker.C():
		}
		now := m.clock.Now()
		m.mu.Lock()
		if m.driver != nil && now.Sub(m.drivenAt) < deviceTakeover {
			// The device ticks; count from here when it stops.
			start, ticks = now, 0
			m.mu.Unlock()
			continue
		}
		due := int64(now.Sub(start)/media.FrameDuration) - ticks
		if due > maxCatchUp {
			ticks += due - maxCatchUp
			due = maxCatchUp
		}
		for ; due > 0; due-- {
			m.tickLocked()
			ticks++
		}
		m.mu.Unlock()
	}
}

// tick mixes one frame for every port.
func (m *Mixer) tick() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tickLocked()
}

// deviceTick runs one tick for the pulling device attached as a and
// gives it the newest mix of its port.
func (m *Mixer) deviceTick(a *Attachment, out []int16) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.driver != a {
		clear(out) // detached meanwhile
		return
	}
	m.tickLocked()
	m.drivenAt = m.clock.Now()
	a.p.takeNewest(out)
}

// tickLocked mixes one frame for every port; m.mu is held.
func (m *Mixer) tickLocked() {
	for _, a := range m.attached {
		a.pull()
	}
	var present uint64
	for i, p := range m.slots {
		if p != nil && p.takeInput() {
			present |= 1 << i
		}
	}
	for _, p := range m.slots {
		if p == nil {
			continue
		}
		m.mix(p.hears & present)
		p.putOutput(m.mixed[:])
	}
	for _, a := range m.attached {
		a.push()
	}
}

// mix sums the current input frames of the ports in set into m.mixed.
func (m *Mixer) mix(set uint64) {
	if set == 0 {
		clear(m.mixed[:])
		return
	}
	if set&(set-1) == 0 { // one speaker: a copy
		for i, p := range m.slots {
			if set&(1<<i) != 0 {
				copy(m.mixed[:], p.cur[:])
				return
			}
		}
	}
	acc, out := m.acc[:], m.mixed[:]
	clear(acc)
	for i, p := range m.slots {
		if set&(1<<i) == 0 {
			continue
		}
		cur := p.cur[:len(acc)]
		for j := range acc {
			acc[j] += int32(cur[j])
		}
	}
	out = out[:len(acc)]
	for j, v := range acc {
		out[j] = int16(min(max(v, math.MinInt16), math.MaxInt16))
	}
}

// Attachment connects a party that is not an RTP session (a headset, a
// file) to a port. A pulling sink (media.Player) ticks the mix from its
// callback (the first one attached; later ones are written to). Other
// real-time sources and sinks (devices) run on goroutines of their own;
// the rest (files, generators) are read and written on the mix goroutine,
// one frame a tick.
type Attachment struct {
	m          *Mixer
	p          *Port
	src        media.Source // inline source, nil when none or real-time
	sink       media.Sink   // inline sink, nil when none or real-time
	player     media.Player // the pulling sink that ticks the mix, if any
	srcDone    bool
	buf        [media.FrameSamples]int16
	quit       chan struct{}
	wg         sync.WaitGroup
	stopOnce   sync.Once
	log        *slog.Logger
	stoppedLog bool
}

// Attach connects src (nil: none) to p and p's mix to sink (nil: none).
// To take them away: Stop, then close the devices (a device blocked in Read
// or Write returns when closed), then Wait. A source that ends (io.EOF)
// leaves silence.
func (m *Mixer) Attach(p *Port, src media.Source, sink media.Sink) *Attachment {
	a := &Attachment{m: m, p: p, quit: make(chan struct{}), log: m.log}
	if src != nil && isRealTime(src) {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.capture(src) }()
	} else {
		a.src = src
	}
	switch {
	case sink != nil && a.drive(sink):
	case sink != nil && isRealTime(sink):
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.playback(sink) }()
	default:
		a.sink = sink
	}
	if a.src != nil || a.sink != nil {
		m.mu.Lock()
		m.attached = append(m.attached, a)
		m.mu.Unlock()
	}
	return a
}

// drive makes sink, if it pulls and no other device ticks the mix, tick
// it from its callback.
func (a *Attachment) drive(sink media.Sink) bool {
	pl, ok := sink.(media.Player)
	if !ok {
		return false
	}
	m := a.m
	m.mu.Lock()
	if m.driver != nil {
		m.mu.Unlock()
		return false
	}
	m.driver, m.drivenAt = a, m.clock.Now()
	m.mu.Unlock()
	if err := pl.Play(deviceClock{a}); err != nil {
		a.log.Warn("mixer: the headset does not pull; writing to it instead", "port", a.p.name, "err", err)
		m.mu.Lock()
		m.driver = nil
		m.mu.Unlock()
		return false
	}
	a.player = pl
	return true
}

// deviceClock is what a pulling headset reads: each frame it asks for
// runs a tick of the mix.
type deviceClock struct{ a *Attachment }

func (d deviceClock) Read(frame []int16) error {
	d.a.m.deviceTick(d.a, frame)
	return nil
}

func (d deviceClock) String() string { return "Mixer(" + d.a.p.name + ")" }

// Stop ends the attachment without waiting: inline sources and sinks are
// no longer used once it returns, nor is a pulling headset ticking the mix
// (it plays silence until closed); device goroutines stop at their next
// frame, or when their device is closed.
func (a *Attachment) Stop() {
	a.stopOnce.Do(func() {
		a.m.mu.Lock()
		for i, x := range a.m.attached {
			if x == a {
				a.m.attached = append(a.m.attached[:i], a.m.attached[i+1:]...)
				break
			}
		}
		if a.m.driver == a {
			a.m.driver = nil
		}
		a.m.mu.Unlock()
		if a.player != nil {
			_ = a.player.Play(nil)
		}
		close(a.quit)
	})
}

// Wait returns once the device goroutines have stopped; call Stop first.
func (a *Attachment) Wait() { a.wg.Wait() }

// Detach is Stop then Wait, for sources and sinks that never block for long.
func (a *Attachment) Detach() {
	a.Stop()
	a.Wait()
}

func (a *Attachment) stopping() bool {
	select {
	case <-a.quit:
		return true
	default:
		return false
	}
}

// pull reads one frame from an inline source into the port (mix goroutine).
func (a *Attachment) pull() {
	if a.src == nil || a.srcDone {
		return
	}
	if err := a.src.Read(a.buf[:]); err != nil {
		a.srcDone = true
		return
	}
	a.p.offer(a.buf[:])
}

// push writes the port's newest mix to an inline sink (mix goroutine).
func (a *Attachment) push() {
	if a.sink == nil {
		return
	}
	if a.p.takeOutput(a.buf[:]) {
		_ = a.sink.Write(a.buf[:])
	}
}

// capture reads a device at its own pace into the port, never blocking it:
// a full queue drops its oldest frame.
func (a *Attachment) capture(src media.Source) {
	var frame [media.FrameSamples]int16
	for !a.stopping() {
		if err := src.Read(frame[:]); err != nil {
			if !a.stopping() {
				a.log.Warn("mixer: capture stopped", "port", a.p.name, "err", err)
			}
			return
		}
		a.p.offer(frame[:])
	}
}

// playback writes the port's mix to a device; the device's Write paces it.
// It checks for Stop before each frame: read hands over a frame that is
// ready even after Stop, and a mix that keeps ticking always has one.
func (a *Attachment) playback(sink media.Sink) {
	var frame [media.FrameSamples]int16
	for !a.stopping() {
		if err := a.p.read(frame[:], a.quit); err != nil {
			return
		}
		if err := sink.Write(frame[:]); err != nil {
			if !a.stopping() {
				a.log.Warn("mixer: playback stopped", "port", a.p.name, "err", err)
			}
			return
		}
	}
}

func isRealTime(v any) bool {
	rt, ok := v.(media.RealTime)
	return ok && rt.RealTime()
}
