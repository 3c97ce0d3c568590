package core

import (
	"context"
	"errors"

	"github.com/homeshore/homeshore/app/ui"
)

// The phone off the line between shifts: at clock-out the agent's presence
// is removed and the registration too (REGISTER with Expires: 0), so the
// PBX stops offering calls to someone who is not working (a caller gets
// the registrar's 404 or 480, not a phone that rings or answers busy).
// The next Start shift registers again (the GUI calls Register).

// goOffShift takes the phone off the line after the machine clocked out.
// The presence worker already has the clock-out (it removes the
// publication); this waits for it, then closes the user agent, which
// unregisters. A wait for a network to register on, or a rebuild on a new
// address, does not register again until the next Register.
func (p *phone) goOffShift(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*requestTimeout)
	defer cancel()
	p.mu.Lock()
	p.offShift = true
	server := p.acc.Server
	p.mu.Unlock()
	perr := p.pres.waitHandled(ctx)
	if perr != nil {
		perr = errors.Join(errors.New("removing the agent's presence"), perr)
	}
	if uerr := p.closeUA(); uerr != nil {
		perr = errors.Join(perr, uerr)
	}
	p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegNone, Server: server}})
	return perr
}

// isOffShift: clocked out since the last Register; the line's own
// recovery (line.go) must not register again.
func (p *phone) isOffShift() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.offShift
}
