package shift

// Calls in the shift. Every answered call counts, in or out, whatever the
// state it started in: a call placed while Not ready is still work done.

// CallStarted: call id was answered (either side). The agent goes On call
// from any open-shift state, and the state they were in is kept to return
// to after the wrap-up. A device loss keeps them Not ready. Starting a
// call that is already on counts nothing twice.
func (m *Machine) CallStarted(id string) error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		if _, on := m.calls[id]; on {
			return nil
		}
		if len(m.calls) == 0 && m.state != WrapUp {
			m.then = &Next{State: m.state, Reason: m.reason}
			switch m.state {
			case Available, NotReady, Break:
			default:
				m.then = &Next{State: Available}
			}
		}
		if m.then == nil {
			m.then = &Next{State: Available}
		}
		m.calls[id] = m.clock.Now()
		if m.state == NotReady && m.reason.Code.needsRecheck() {
			return nil
		}
		if m.state != OnCall {
			m.moveLocked(OnCall, Reason{})
		}
		return nil
	})
}

// CallEnded counts call id and its talk time; the last call ending moves
// On call → Wrap-up (a device loss during the call keeps Not ready).
func (m *Machine) CallEnded(id string) error {
	return m.do(func() error {
		start, on := m.calls[id]
		if !on {
			return &TransitionError{From: m.state, Action: "end a call that was not answered"}
		}
		delete(m.calls, id)
		m.sum.Calls++
		m.sum.TalkTime += m.clock.Now().Sub(start)
		if len(m.calls) == 0 && m.state == OnCall {
			m.moveLocked(WrapUp, Reason{})
		}
		return nil
	})
}

// CallMissed counts an inbound call that rang and ended unanswered. With
// Options.MissedCallNotReady an Available agent (no call on, no wrap-up)
// goes Not ready with ReasonMissedCall: nobody answers at that desk.
func (m *Machine) CallMissed() error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		m.sum.Missed++
		if m.opts.MissedCallNotReady && m.state == Available && len(m.calls) == 0 {
			m.moveLocked(NotReady, Reason{Code: ReasonMissedCall, Message: "Missed call", Key: "reason.missed_call"})
		}
		return nil
	})
}

// CallRejected counts an inbound call the agent declined.
func (m *Machine) CallRejected() error {
	return m.do(func() error {
		if !m.open {
			return ErrNotClockedIn
		}
		m.sum.Rejected++
		return nil
	})
}

// OnCall reports whether an answered call is in progress.
func (m *Machine) OnCall() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.calls) > 0
}
