package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/ui"
)

// Errors the simulated far end reports, like a real SIP peer would.
var (
	errNoCall   = errors.New("no such call")
	errNotReady = errors.New("not registered: start your shift first")
	errBusy     = errors.New("486 Busy Here")
)

// phone is the simulated SIP user agent and the customers behind it.
type phone struct {
	d *Demo

	mu         sync.Mutex
	registered bool
	call       *demoCall
	seq        int
}

type demoCall struct {
	info     ui.CallInfo
	answered bool
	// hangup ends the far end's talk timer and quality loop.
	hangup context.CancelFunc
}

func newPhone(d *Demo) *phone { return &phone{d: d} }

func (p *phone) busy() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.call != nil
}

func (p *phone) Register(ctx context.Context, acc ui.Account) error {
	if !sleep(ctx, 300*time.Millisecond) {
		return ctx.Err()
	}
	if acc.Password == "" {
		return errors.New("401 Unauthorized: no password; type it in the account screen")
	}
	p.mu.Lock()
	p.registered = true
	p.mu.Unlock()
	p.d.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegRegistered, Server: acc.Server}})
	return nil
}

// ring offers an incoming call from customer c.
func (p *phone) ring(c customer) {
	p.mu.Lock()
	if p.call != nil || !p.registered {
		p.mu.Unlock()
		return
	}
	p.seq++
	call := &demoCall{info: ui.CallInfo{ID: fmt.Sprintf("demo-in-%d", p.seq), Direction: ui.Inbound,
		Remote: c.phone, Display: c.name, Started: time.Now()}}
	p.call = call
	p.mu.Unlock()
	p.d.emit(ui.IncomingCall{Call: call.info})
	p.d.spawn(func(ctx context.Context) {
		if !sleep(ctx, p.d.timing.RingFor) {
			return
		}
		p.finish(call, "remote", "caller gave up")
	})
}

func (p *phone) Dial(ctx context.Context, number string) (ui.CallInfo, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case !p.registered:
		return ui.CallInfo{}, errNotReady
	case p.call != nil:
		return ui.CallInfo{}, errBusy
	}
	p.seq++
	call := &demoCall{info: ui.CallInfo{ID: fmt.Sprintf("demo-out-%d", p.seq), Direction: ui.Outbound,
		Remote: number, Display: nameFor(number), Started: time.Now()}}
	p.call = call
	p.d.spawn(func(ctx context.Context) {
		if !sleep(ctx, p.d.timing.AnswerAfter) {
			return
		}
		if strings.HasSuffix(number, "486") {
			p.finish(call, "remote", errBusy.Error())
			return
		}
		p.establish(call)
	})
	return call.info, nil
}

func (p *phone) Answer(ctx context.Context, id string) error {
	call, err := p.find(id)
	if err != nil {
		return err
	}
	p.establish(call)
	return nil
}

// establish answers call and starts the far end: quality reports, then a
// hang-up after a while.
func (p *phone) establish(call *demoCall) {
	p.mu.Lock()
	if p.call != call || call.answered {
		p.mu.Unlock()
		return
	}
	call.answered = true
	call.info.Answered = time.Now()
	talk, stop := context.WithCancel(p.d.ctx)
	call.hangup = stop
	info := call.info
	p.mu.Unlock()
	p.d.emit(ui.CallEstablished{Call: info})
	_ = p.d.shift.m.CallStarted(info.ID)
	p.d.spawn(func(context.Context) { p.talk(talk, call) })
}

// talk reports quality every few seconds and hangs up when the customer is done.
func (p *phone) talk(ctx context.Context, call *demoCall) {
	end := time.Now().Add(p.d.jitter(p.d.timing.TalkFor))
	tick := time.NewTicker(p.d.timing.QualityEvery)
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			n++
			p.d.emit(ui.QualityUpdated{CallID: call.info.ID, Quality: p.quality(n)})
			if now.After(end) {
				p.finish(call, "remote", "customer hung up")
				return
			}
		}
	}
}

// quality is good most of the time, with a short bad patch now and then so
// the warning can be seen.
func (p *phone) quality(n int) ui.Quality {
	q := ui.Quality{Codec: "opus", LossPercent: 0.2 * float64(p.d.intn(4)), JitterMs: float64(4 + p.d.intn(6)), RTTMs: 38, MOS: 4.3 - 0.05*float64(p.d.intn(4))}
	if n%9 >= 6 {
		q.LossPercent, q.JitterMs, q.MOS = 6.5, 48, 3.1
	}
	return q
}

// finish ends call if it is still current and tells the GUI, then the
// shift machine (answered calls go to wrap-up), in the order a real UA does.
func (p *phone) finish(call *demoCall, by, reason string) {
	p.mu.Lock()
	if p.call != call {
		p.mu.Unlock()
		return
	}
	p.call = nil
	if call.hangup != nil {
		call.hangup()
	}
	answered := call.answered
	p.mu.Unlock()
	p.d.emit(ui.CallClosed{CallID: call.info.ID, By: by, Reason: reason})
	switch {
	case answered:
		_ = p.d.shift.m.CallEnded(call.info.ID)
	case call.info.Direction != ui.Inbound:
	case reason == "rejected":
		_ = p.d.shift.m.CallRejected()
	default:
		_ = p.d.shift.m.CallMissed()
	}
}

func (p *phone) find(id string) (*demoCall, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.call == nil || p.call.info.ID != id {
		return nil, fmt.Errorf("%w: %s", errNoCall, id)
	}
	return p.call, nil
}

// local ends a call from the agent's side.
func (p *phone) local(id, reason string) error {
	call, err := p.find(id)
	if err != nil {
		return err
	}
	p.finish(call, "local", reason)
	return nil
}

func (p *phone) Reject(_ context.Context, id string) error { return p.local(id, "rejected") }
func (p *phone) Hangup(_ context.Context, id string) error { return p.local(id, "") }

func (p *phone) Hold(_ context.Context, id string, _ bool) error {
	_, err := p.find(id)
	return err
}

func (p *phone) Mute(id string, _ bool) error {
	_, err := p.find(id)
	return err
}

func (p *phone) SendDTMF(id string, digits string) error {
	if strings.Trim(digits, "0123456789*#ABCD") != "" {
		return fmt.Errorf("not a DTMF digit: %q", digits)
	}
	_, err := p.find(id)
	return err
}

func (p *phone) Transfer(_ context.Context, id, target string) error {
	return p.local(id, "transferred to "+target)
}
