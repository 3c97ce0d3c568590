// Package demo wires the GUI to a self-contained setup for `homeshore
// --demo`: the real core against an embedded ticket server and simulated
// customers on loopback SIP (live.go, caller.go), or, when that cannot
// start, in-process fakes of every part (sample tickets, virtual devices).
package demo

import (
	"context"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/ui"
)

// Timing sets how lively the demo is; tests shorten it.
type Timing struct {
	// FirstCall is the wait from going Available after Start shift to the
	// first incoming call.
	FirstCall time.Duration
	// CallEvery is the mean gap between incoming calls while Available.
	CallEvery time.Duration
	// RingFor is how long an unanswered call rings before it is missed.
	RingFor time.Duration
	// AnswerAfter is how long our outgoing calls ring before the far end answers.
	AnswerAfter time.Duration
	// TalkFor is the mean call length before the customer hangs up.
	TalkFor time.Duration
	// QualityEvery is the period of quality updates during a call.
	QualityEvery time.Duration
	// QuietRoom is the length of the quiet-room step of the check.
	QuietRoom time.Duration
}

// DefaultTiming makes the first call arrive some seconds after the shift
// starts: long enough to look around, short enough not to wait.
var DefaultTiming = Timing{
	FirstCall:    10 * time.Second,
	CallEvery:    40 * time.Second,
	RingFor:      30 * time.Second,
	AnswerAfter:  2 * time.Second,
	TalkFor:      45 * time.Second,
	QualityEvery: 2 * time.Second,
	QuietRoom:    5 * time.Second,
}

// Demo is the in-process demo setup. Start it, hand Backend to the GUI,
// Close it when the GUI is gone.
type Demo struct {
	timing  Timing
	events  chan ui.Event
	phone   *phone
	shift   *shift
	tickets *tickets

	mu  sync.Mutex
	rng *rand.Rand

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// New builds a demo in English; seed makes its customers and timings
// reproducible.
func New(timing Timing, seed uint64) *Demo { return NewIn(timing, seed, "en") }

// NewIn is New with the sample tickets in lang ("en", "fr").
func NewIn(timing Timing, seed uint64, lang string) *Demo {
	d := &Demo{timing: timing, events: make(chan ui.Event, 64), rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.tickets = newTickets(lang)
	d.shift = newShift(d)
	d.phone = newPhone(d)
	return d
}

// Backend is what the GUI drives.
func (d *Demo) Backend() ui.Backend {
	return ui.Backend{
		Phone:   d.phone,
		Shift:   d.shift,
		Tickets: d.tickets,
		Checker: checker{d: d},
		Devices: devices{},
		Secrets: newSecrets(),
		Config:  newConfig(),
		Events:  d,
		Codecs:  []string{"opus", "pcmu", "pcma"},
	}
}

// Events implements ui.EventSource.
func (d *Demo) Events() <-chan ui.Event { return d.events }

// Start runs the simulated callers until Close.
func (d *Demo) Start() {
	d.spawn(d.callers)
}

// Close stops every demo goroutine and waits for them; it is idempotent.
func (d *Demo) Close() error {
	d.once.Do(func() {
		d.cancel()
		d.wg.Wait()
	})
	return nil
}

// Logs returns the call logs wrap-up sent (tests).
func (d *Demo) Logs() []ui.CallLog { return d.tickets.logs() }

// spawn runs f in a goroutine Close waits for.
func (d *Demo) spawn(f func(ctx context.Context)) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		f(d.ctx)
	}()
}

// emit delivers an event to the GUI unless the demo is closing.
func (d *Demo) emit(ev ui.Event) {
	select {
	case d.events <- ev:
	case <-d.ctx.Done():
	}
}

// jitter returns mean ± 50 %.
func (d *Demo) jitter(mean time.Duration) time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	return mean/2 + time.Duration(d.rng.Int64N(int64(mean)+1))
}

func (d *Demo) intn(n int) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.rng.IntN(n)
}

// sleep waits for dur or until the demo closes; false means closing.
func sleep(ctx context.Context, dur time.Duration) bool {
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// callers rings the agent now and then while Available.
func (d *Demo) callers(ctx context.Context) {
	wait := d.timing.FirstCall
	for {
		if !sleep(ctx, wait) {
			return
		}
		wait = d.jitter(d.timing.CallEvery)
		if d.shift.current() != ui.StateAvailable || d.phone.busy() {
			wait = d.timing.FirstCall
			continue
		}
		c := customers[d.intn(len(customers))]
		d.phone.ring(c)
	}
}

// Run starts the demo, runs the GUI on it until the window closes or ctx
// ends, then stops the demo. It is what `homeshore --demo` calls. The demo
// runs on the real core (StartLive); if that cannot start, it falls back to
// the in-process fakes and the banner says so.
func Run(ctx context.Context, opts ui.Options) error {
	opts.Demo = true
	sounds, err := os.MkdirTemp("", "homeshore-demo-sounds")
	if err == nil {
		defer os.RemoveAll(sounds)
	}
	live, err := StartLiveIn(DefaultTiming, opts.Logger, ui.ResolveLanguage(opts.Language))
	if err == nil {
		defer live.Close()
		opts.Backend = live.Backend()
		opts.DemoNote = live.Note()
		opts.DemoActions = live.DemoActions()
	} else {
		d := NewIn(DefaultTiming, uint64(time.Now().UnixNano()), ui.ResolveLanguage(opts.Language))
		d.Start()
		defer d.Close()
		opts.Backend = d.Backend()
		opts.DemoNote = "The simulated phone is used: " + err.Error()
	}
	if sounds != "" {
		opts.Backend.Ringer = newRinger(sounds)
	}
	return ui.Main(ctx, opts)
}
