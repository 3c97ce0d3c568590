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
	inCall     bool
	callStart  time.Time
	calls      int
	talk       time.Duration
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
	return &Machine{clock: clock, opts: opts, log: log, since: clock.Now(),
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

// State returns the current state and, for Not ready, its reason.
func (m *Machine) State() (State, Reason) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state, m.reason
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
		m.calls, m.talk, m.timeIn = 0, 0, map[State]time.Duration{}
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

// DeviceLost puts the agent Not ready at once, from any open-shift state, and
// requires a new check to come back. Called by the device watcher.
func (m *Machine) DeviceLost(r Reason) error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if r.Code == ReasonNone {
			r.Code = ReasonDeviceChanged
		}
		m.log.Warn("agent set not ready by device watcher", "reason", r.Code, "message", r.Message)
		m.moveLocked(NotReady, r)
		return nil
	})
}

// SetNotReady is the agent's own choice (code manual unless given).
func (m *Machine) SetNotReady(r Reason) error {
	if r.Code == ReasonNone {
		r.Code = ReasonManual
	}
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		switch m.state {
		case Available, Break, WrapUp, NotReady:
		default:
			return &TransitionError{From: m.state, Action: "go not ready"}
		}
		if m.state == NotReady && m.reason.Code.needsRecheck() {
			return ErrRecheckRequired
		}
		m.moveLocked(NotReady, r)
		return nil
	})
}

// SetAvailable leaves Not ready, Break or Wrap-up. Not ready for a device
// reason needs Recheck instead.
func (m *Machine) SetAvailable() error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		switch m.state {
		case NotReady:
			if m.reason.Code.needsRecheck() {
				return ErrRecheckRequired
			}
		case Break, WrapUp, Available:
		default:
			return &TransitionError{From: m.state, Action: "go available"}
		}
		m.moveLocked(Available, Reason{})
		return nil
	})
}

// StartBreak moves Available or Not ready (manual) to Break.
func (m *Machine) StartBreak() error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if m.state != Available && !(m.state == NotReady && !m.reason.Code.needsRecheck()) {
			return &TransitionError{From: m.state, Action: "start a break"}
		}
		m.moveLocked(Break, Reason{})
		return nil
	})
}

// CallStarted: a call was answered or placed while Available.
func (m *Machine) CallStarted() error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if m.state != Available {
			return &TransitionError{From: m.state, Action: "take a call"}
		}
		m.inCall, m.callStart = true, m.clock.Now()
		m.moveLocked(OnCall, Reason{})
		return nil
	})
}

// CallEnded counts the call and its talk time; On call → Wrap-up. If a
// device was lost during the call the agent stays Not ready.
func (m *Machine) CallEnded() error {
	return m.do(func() error {
		if !m.inCall {
			return &TransitionError{From: m.state, Action: "end a call"}
		}
		m.inCall = false
		m.calls++
		m.talk += m.clock.Now().Sub(m.callStart)
		if m.state == OnCall {
			m.moveLocked(WrapUp, Reason{})
		}
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
		if m.inCall {
			return &TransitionError{From: m.state, Action: "end the shift during a call"}
		}
		m.moveLocked(Offline, Reason{})
		now := m.clock.Now()
		sum = Summary{ClockIn: m.clockedIn, ClockOut: now, Calls: m.calls, TalkTime: m.talk,
			TimeIn: m.timeIn, Overridden: m.overridden}
		delete(sum.TimeIn, Offline)
		m.open = false
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
	if to != NotReady && to != Checking {
		m.reason = Reason{}
	}
	m.queue = append(m.queue, StateChanged{At: now, From: from, To: to, Reason: m.reason})
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
