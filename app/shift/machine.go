package shift

import (
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Options configure a Machine.
type Options struct {
	// AllowOverride mirrors the IT policy checks.allow_override.
	AllowOverride bool
	// Logger receives overrides and device losses; nil means slog.Default().
	Logger *slog.Logger
	// MissedCallNotReady mirrors the IT policy shift.missed_call_not_ready:
	// a missed call moves an Available agent to Not ready (missed_call).
	MissedCallNotReady bool
}

// Machine is one agent's shift. All methods are safe for concurrent use;
// events are delivered to subscribers in order, on the goroutine that caused
// them, after the machine's lock is released (a subscriber may call back).
type Machine struct {
	clock Clock
	opts  Options
	log   *slog.Logger

	mu         sync.Mutex
	state      State
	reason     Reason
	since      time.Time
	clockedIn  time.Time
	open       bool
	overridden bool
	// calls are the answered calls in progress, by id, with their answer time.
	calls map[string]time.Time
	// then is where the agent goes after the calls and their wrap-up.
	then       *Next
	sum        Summary
	timeIn     map[State]time.Duration
	subs       map[int]func(Event)
	nextSub    int
	queue      []Event
	delivering bool
}

// New returns a Machine in Offline.
func New(clock Clock, opts Options) *Machine {
	if clock == nil {
		clock = SystemClock{}
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Machine{clock: clock, opts: opts, log: log, since: clock.Now(), calls: map[string]time.Time{},
		timeIn: map[State]time.Duration{}, subs: map[int]func(Event){}}
}

// Subscribe registers fn for every later event; the returned func removes it.
func (m *Machine) Subscribe(fn func(Event)) (unsubscribe func()) {
	m.mu.Lock()
	id := m.nextSub
	m.nextSub++
	m.subs[id] = fn
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		delete(m.subs, id)
		m.mu.Unlock()
	}
}

// State returns the current state and, for Not ready and Break, its reason.
func (m *Machine) State() (State, Reason) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state, m.reason
}

// Since is when the current state began.
func (m *Machine) Since() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.since
}

// Then is where the agent goes after the current call and its wrap-up
// (nil outside a call and its wrap-up).
func (m *Machine) Then() *Next {
	m.mu.Lock()
	defer m.mu.Unlock()
	return copyNext(m.then)
}

// ClockedIn reports whether a shift is open.
func (m *Machine) ClockedIn() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.open
}

// BeginCheck moves to Checking: from Offline (before clock-in) or Not ready
// (re-check mid-shift).
func (m *Machine) BeginCheck() error {
	return m.do(func() error {
		if m.state != Offline && m.state != NotReady {
			return &TransitionError{From: m.state, Action: "start a check"}
		}
		m.moveLocked(Checking, m.reason)
		return nil
	})
}

// ClockIn opens the shift with the check report. A failed report needs an
// override with a typed reason, allowed by IT; the override is logged.
func (m *Machine) ClockIn(report CheckReport, override *Override) error {
	if report == nil {
		return ErrNoReport
	}
	return m.do(func() error {
		if m.open {
			return ErrAlreadyClockedIn
		}
		if m.state != Offline && m.state != Checking {
			return &TransitionError{From: m.state, Action: "start the shift"}
		}
		passed := report.Passed()
		if passed {
			override = nil
		} else {
			if override == nil {
				return ErrChecksFailed
			}
			if !m.opts.AllowOverride {
				return ErrOverrideNotAllowed
			}
			if strings.TrimSpace(override.Reason) == "" {
				return ErrOverrideReasonRequired
			}
			m.log.Warn("shift started despite failed pre-shift check",
				"failed_checks", report.FailedChecks(), "override_reason", override.Reason)
		}
		now := m.clock.Now()
		m.open, m.clockedIn, m.overridden = true, now, override != nil
		m.sum, m.timeIn, m.then = Summary{}, map[State]time.Duration{}, nil
		m.since = now
		m.queue = append(m.queue, ClockedIn{At: now, Passed: passed, Failed: report.FailedChecks(),
			Override: override, Report: marshalReport(report)})
		m.moveLocked(Available, Reason{})
		return nil
	})
}

// Recheck applies a mid-shift check: pass → Available, fail → Not ready
// (check_failed). The machine must be Checking or Not ready.
func (m *Machine) Recheck(report CheckReport) error {
	if report == nil {
		return ErrNoReport
	}
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if m.state != Checking && m.state != NotReady {
			return &TransitionError{From: m.state, Action: "apply a check"}
		}
		passed := report.Passed()
		m.queue = append(m.queue, Rechecked{At: m.clock.Now(), Passed: passed,
			Failed: report.FailedChecks(), Report: marshalReport(report)})
		if passed {
			m.moveLocked(Available, Reason{})
			return nil
		}
		m.moveLocked(NotReady, Reason{Code: ReasonCheckFailed,
			Message: "The equipment check failed: " + strings.Join(report.FailedChecks(), ", ")})
		return nil
	})
}

// DeviceLost puts the agent Not ready at once, from any open-shift state
// (also during a call, which goes on), and requires a new check to come
// back: after the call the agent stays Not ready. Called by the device watcher.
func (m *Machine) DeviceLost(r Reason) error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if r.Code == ReasonNone {
			r.Code = ReasonDeviceChanged
		}
		m.log.Warn("agent set not ready by device watcher", "reason", r.Code, "message", r.Message)
		if m.then != nil {
			m.then = &Next{State: NotReady, Reason: r}
		}
		m.moveLocked(NotReady, r)
		return nil
	})
}

// SetNotReady is the agent's own choice (code manual unless given). On a
// call it sets where the agent goes after the call instead.
func (m *Machine) SetNotReady(r Reason) error {
	if r.Code == ReasonNone {
		r.Code = ReasonManual
	}
	return m.choose(Next{State: NotReady, Reason: r}, "go not ready")
}

// SetAvailable leaves Not ready, Break or Wrap-up. Not ready for a device
// reason needs Recheck instead. On a call it sets where the agent goes after
// the call.
func (m *Machine) SetAvailable() error {
	return m.choose(Next{State: Available}, "go available")
}

// StartBreak moves to Break with its reason (from policy; may be empty)
// from Available, Wrap-up, Break or a Not ready the agent chose. On a call
// it sets where the agent goes after the call.
func (m *Machine) StartBreak(r Reason) error {
	return m.choose(Next{State: Break, Reason: r}, "start a break")
}

// choose applies an agent's pick of Available, Not ready or Break.
func (m *Machine) choose(n Next, action string) error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if m.state == NotReady && m.reason.Code.needsRecheck() && !(n.State == NotReady && n.Reason.Code.needsRecheck()) {
			return ErrRecheckRequired
		}
		switch m.state {
		case Available, Break, WrapUp, NotReady:
		case OnCall:
			m.then = &n
			m.queue = append(m.queue, StateChanged{At: m.clock.Now(), From: OnCall, To: OnCall, Then: copyNext(m.then)})
			return nil
		default:
			return &TransitionError{From: m.state, Action: action}
		}
		if len(m.calls) == 0 {
			m.then = nil
		}
		m.moveLocked(n.State, n.Reason)
		return nil
	})
}

// EndWrapUp closes the wrap-up of a call logged with disposition (counted
// in the summary; "" when none was chosen): the agent goes to next when
// they chose one, else back to the state they were in before the call (Not
// ready stays Not ready with its reason). Outside Wrap-up (the agent
// already moved on, or lost the headset) only the disposition is counted.
func (m *Machine) EndWrapUp(disposition string, next *Next) error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if disposition != "" {
			if m.sum.Dispositions == nil {
				m.sum.Dispositions = map[string]int{}
			}
			m.sum.Dispositions[disposition]++
		}
		if m.state != WrapUp {
			return nil
		}
		target := Next{State: Available}
		switch {
		case next != nil:
			target = *next
		case m.then != nil:
			target = *m.then
		}
		if target.State != Available && target.State != NotReady && target.State != Break {
			target = Next{State: Available}
		}
		m.then = nil
		m.moveLocked(target.State, target.Reason)
		return nil
	})
}

// ClockOut closes the shift and emits the summary. Not possible on a call.
func (m *Machine) ClockOut() (Summary, error) {
	var sum Summary
	err := m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if len(m.calls) > 0 {
			return &TransitionError{From: m.state, Action: "end the shift during a call"}
		}
		m.moveLocked(Offline, Reason{})
		now := m.clock.Now()
		sum = m.sum
		sum.ClockIn, sum.ClockOut, sum.TimeIn, sum.Overridden = m.clockedIn, now, m.timeIn, m.overridden
		delete(sum.TimeIn, Offline)
		m.open, m.then = false, nil
		m.timeIn = map[State]time.Duration{}
		m.queue = append(m.queue, ClockedOut{At: now, Summary: sum})
		return nil
	})
	return sum, err
}

// do runs fn under the lock, then delivers queued events outside it.
func (m *Machine) do(fn func() error) error {
	m.mu.Lock()
	err := fn()
	m.mu.Unlock()
	m.deliver()
	return err
}

// moveLocked records time in the old state and queues StateChanged.
func (m *Machine) moveLocked(to State, r Reason) {
	now := m.clock.Now()
	if m.open {
		m.timeIn[m.state] += now.Sub(m.since)
	}
	from := m.state
	m.state, m.reason, m.since = to, r, now
	if to != NotReady && to != Checking && to != Break {
		m.reason = Reason{}
	}
	m.queue = append(m.queue, StateChanged{At: now, From: from, To: to, Reason: m.reason, Then: copyNext(m.then)})
}

func copyNext(n *Next) *Next {
	if n == nil {
		return nil
	}
	c := *n
	return &c
}

// deliver drains the queue; re-entrant calls only enqueue, so order holds.
func (m *Machine) deliver() {
	m.mu.Lock()
	if m.delivering {
		m.mu.Unlock()
		return
	}
	m.delivering = true
	for len(m.queue) > 0 {
		ev := m.queue[0]
		m.queue = m.queue[1:]
		subs := make([]func(Event), 0, len(m.subs))
		for id := 0; id < m.nextSub; id++ {
			if fn, ok := m.subs[id]; ok {
				subs = append(subs, fn)
			}
		}
		m.mu.Unlock()
		for _, fn := range subs {
			fn(ev)
		}
		m.mu.Lock()
	}
	m.delivering = false
	m.mu.Unlock()
}
