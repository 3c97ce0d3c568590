package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// rejectBusy is the answer to a call the agent cannot take now.
const rejectBusy = 486

// requestTimeout bounds the in-call requests the GUI fires without a deadline.
const requestTimeout = 8 * time.Second

// phone is ui.Phone over one *sip.UA, rebuilt on each Register.
type phone struct {
	c *Core

	mu    sync.Mutex
	ua    *sip.UA
	stop  context.CancelFunc // ends the UA's event loop
	calls map[string]*callEntry
	ended map[string]endRecord // ended calls, for the call log
	wg    sync.WaitGroup       // UA event loops, per-call loops, refusals, rebuilds
	acc   ui.Account           // the account last registered, to rebuild the UA
	// rebuilding is set while a rebuild for a new address runs.
	rebuilding bool
	shut       bool            // close ran: no new user agent
	desk       *desk           // the calls' audio (desk.go)
	pres       *presenceWorker // the agent's state as SIP presence (presence.go)
	stopPres   context.CancelFunc
	seq        int // orders calls as they start
	// moved: the address changed during a call; rebuild once calls end (line.go).
	moved bool
	// stopWait ends the wait for a network to register on (line.go).
	stopWait context.CancelFunc
	// offShift: clocked out, off the line until the next Register (offshift.go).
	offShift bool
}

// endRecord is what the call log needs of an ended call.
type endRecord struct {
	stats    media.Stats
	answered time.Time
	ended    time.Time
}

// callEntry is one call the GUI knows.
type callEntry struct {
	call        *sip.Call
	info        ui.CallInfo
	leg         *leg // its place in the desk's mix; nil until it has audio
	established bool
	declined    bool // the agent rejected it
	seq         int
	consultFor  string // the call this consultation is about (consult.go)
}

func newPhone(c *Core) *phone {
	p := &phone{c: c, calls: map[string]*callEntry{}, ended: map[string]endRecord{}}
	p.desk = newDesk(c)
	p.pres = newPresenceWorker(c)
	ctx, stop := context.WithCancel(context.Background())
	p.stopPres = stop
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.pres.run(ctx) }()
	return p
}

// availableCodecs lists the codecs this build can use, best first.
func availableCodecs() []string {
	var out []string
	for _, c := range media.DefaultCodecs() {
		if media.CodecAvailable(c) {
			out = append(out, strings.ToLower(c.Name))
		}
	}
	return out
}

// sipConfig builds the UA configuration from the account the GUI passes,
// the profile's other SIP fields and the settings, run through the policy
// as the headless commands do (config.Policy.EnforceSIP).
func (p *phone) sipConfig(acc ui.Account) (sip.Config, error) {
	prof := p.c.settings.sipProfile()
	_, set, _ := p.c.settings.Load()
	prof.Server, prof.User, prof.AuthUser, prof.Transport = acc.Server, acc.User, acc.AuthUser, acc.Transport
	prof.Codecs = set.Codecs
	eff := p.c.policy.EnforceSIP(prof)
	cfg := sip.Config{
		Registrar: eff.Server, User: eff.User, AuthUser: eff.AuthUser, Password: acc.Password,
		Transport: eff.Transport, Domain: eff.Domain, DisplayName: eff.DisplayName,
		OutboundProxy: eff.OutboundProxy, CAFile: eff.CAFile, SRTP: sip.SRTPMode(pick(eff.SRTP, string(sip.SRTPOff))),
		ListenAddr: p.c.opts.SIPListen,
	}
	if p.c.opts.Direct {
		cfg.Registrar, cfg.Domain, cfg.Password = "", acc.Server, ""
	}
	var err error
	if cfg.Expires, cfg.KeepAlive, err = eff.RegistrationTiming(&p.c.policy); err != nil {
		return sip.Config{}, err
	}
	for _, name := range eff.Codecs {
		codec, ok := media.LookupCodec(strings.TrimSpace(name))
		if !ok {
			return sip.Config{}, fmt.Errorf("unknown codec %q in the settings: choose opus, pcmu or pcma", name)
		}
		if media.CodecAvailable(codec) {
			cfg.Codecs = append(cfg.Codecs, codec)
		}
	}
	return cfg, cfg.Validate()
}

// Register (re)builds the user agent for acc and registers it. With no
// server it only listens (direct calls, the demo).
func (p *phone) Register(ctx context.Context, acc ui.Account) error {
	cfg, err := p.sipConfig(acc)
	if err != nil {
		return err
	}
	p.mu.Lock()
	closed := p.shut
	p.acc = acc
	p.offShift = false
	p.mu.Unlock()
	if closed {
		return errors.New("the phone is shutting down")
	}
	p.mu.Lock()
	busy := len(p.calls) > 0
	p.mu.Unlock()
	if busy {
		return errors.New("a call is in progress: register again after it ends")
	}
	if err := p.closeUA(); err != nil {
		p.c.log.Warn("closing the previous SIP user agent", "err", err)
	}
	ua, err := sip.New(cfg, append([]sip.Option{sip.WithLogger(p.c.log)}, p.c.opts.SIPOptions...)...)
	if err != nil {
		if errors.Is(err, sip.ErrNoNetwork) && cfg.Registrar != "" {
			return p.registerWhenReachable(acc, cfg, err)
		}
		return err
	}
	loopCtx, stop := context.WithCancel(context.Background())
	p.mu.Lock()
	p.ua, p.stop = ua, stop
	p.mu.Unlock()
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.uaLoop(loopCtx, ua, cfg.Registrar) }()
	if cfg.Registrar == "" {
		return nil
	}
	// Presence goes out on the UA's Registered event, now or, when the
	// first REGISTER failed for now, once the UA registers by itself.
	return lineError(ua.Register(ctx))
}

// currentUA is the user agent in use, nil before Register.
func (p *phone) currentUA() *sip.UA {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ua
}

// SIPAddr is where the current UA accepts SIP (tests, the demo).
func (p *phone) SIPAddr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ua == nil {
		return ""
	}
	return p.ua.SIPAddr().String()
}

// uaLoop turns the UA's events into GUI events until stopped.
func (p *phone) uaLoop(ctx context.Context, ua *sip.UA, server string) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-ua.Events():
			switch ev := ev.(type) {
			case sip.Registered:
				p.pres.registered()
				if ev.Unreachable > 0 {
					p.c.log.Info("phone line back", "server", server, "unreachable", ev.Unreachable.Round(time.Second))
				}
				p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegRegistered, Server: server}})
			case sip.Reconnecting:
				p.lineDown(ev, server)
			case sip.RegistrationFailed:
				p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegFailed, Server: server,
					Detail: oneLine(ev.Err), Since: ev.Since}})
			case sip.Unregistered:
				p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegNone, Server: server}})
			case sip.IncomingCall:
				if req, ok := ev.Call.Monitor(); ok {
					p.c.monitor.incoming(ev.Call, req)
					continue
				}
				p.incoming(ev.Call)
			}
		}
	}
}

// incoming offers a call to the GUI, or refuses it when the agent cannot
// take it (clocked in but not Available), or cannot take one more: a
// second call while on a call is call waiting (consult.go).
func (p *phone) incoming(call *sip.Call) {
	st, _ := p.c.machine.State()
	p.mu.Lock()
	busy := len(p.calls) > 0
	p.mu.Unlock()
	if !p.canWait() || (!busy && !p.c.shift.canRing()) {
		p.c.log.Info("refusing a call the agent cannot take", "from", call.Remote(), "busy", busy, "state", st)
		// Reject waits for the UA's handler (and the caller's ACK): not on
		// this loop, but owned, so close waits for it. The loop itself is
		// counted in p.wg, so this Add cannot race close's Wait.
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			if err := call.Reject(rejectBusy); err != nil && !errors.Is(err, sip.ErrCallCancelled) && !errors.Is(err, sip.ErrCallEnded) {
				p.c.log.Info("refusing the call", "err", err)
			}
		}()
		return
	}
	e := &callEntry{call: call, info: ui.CallInfo{ID: call.CallID(), Direction: ui.Inbound,
		Remote: call.RemoteUser(), Display: call.DisplayName(), Started: time.Now()}}
	p.track(e)
	p.c.events.emit(ui.IncomingCall{Call: e.info})
}

// track remembers a call and follows its events until it ends.
func (p *phone) track(e *callEntry) {
	p.mu.Lock()
	p.seq++
	e.seq = p.seq
	p.calls[e.info.ID] = e
	p.mu.Unlock()
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.follow(e) }()
}

// follow runs for one call: established, DTMF, live quality every
// QualityEvery, and at the end CallClosed then the shift's Wrap-up.
func (p *phone) follow(e *callEntry) {
	tick := time.NewTicker(p.c.opts.QualityEvery)
	defer tick.Stop()
	call := e.call
	for {
		select {
		case ev := <-call.Events():
			switch ev := ev.(type) {
			case sip.Established:
				p.established(e)
			case sip.DTMFReceived:
				p.c.events.emit(ui.DTMFReceived{CallID: e.info.ID, Digit: string(ev.Digit)})
			case sip.TransferProgress:
				p.transferProgress(e, ev)
			case sip.Transferred:
				call = p.replaced(e, ev.To)
			case sip.Ended:
				p.closed(e, ev.Info)
				return
			}
		case <-call.Done():
			if next := call.Replacement(); next != nil {
				call = p.replaced(e, next)
				continue
			}
			// Ended is queued before Done closes; take it if it is there.
			select {
			case ev := <-call.Events():
				if end, ok := ev.(sip.Ended); ok {
					p.closed(e, end.Info)
					return
				}
			default:
			}
			p.closed(e, call.End())
			return
		case <-tick.C:
			p.mu.Lock()
			up := e.established
			p.mu.Unlock()
			if up {
				p.c.events.emit(ui.QualityUpdated{CallID: e.info.ID, Quality: qualityOf(call.Stats())})
			}
		}
	}
}

func (p *phone) established(e *callEntry) {
	p.mu.Lock()
	e.established = true
	e.info.Answered = e.call.AnsweredAt()
	info := e.info
	l := e.leg
	p.mu.Unlock()
	p.desk.update(l, func(l *leg) { l.answered, l.dialing = true, false })
	p.c.events.emit(ui.CallEstablished{Call: info})
	// A consultation is part of handling the customer's call, not a call
	// of its own in the shift's figures.
	if e.consultFor == "" {
		p.c.shift.callAnswered(info.ID)
	}
}

func (p *phone) closed(e *callEntry, end sip.EndInfo) {
	stats := e.call.Stats()
	p.mu.Lock()
	delete(p.calls, e.info.ID)
	p.ended[e.info.ID] = endRecord{stats: stats, answered: e.call.AnsweredAt(), ended: time.Now()}
	up, declined := e.established, e.declined
	l := e.leg
	p.mu.Unlock()
	p.c.monitor.callEnded(e)
	if err := p.desk.release(l); err != nil {
		p.c.log.Warn("closing call audio", "err", err)
	}
	if up {
		p.c.events.emit(ui.QualityUpdated{CallID: e.info.ID, Quality: qualityOf(stats)})
	}
	reason := ""
	if end.Err != nil {
		reason = oneLine(end.Err)
	}
	p.c.events.emit(ui.CallClosed{CallID: e.info.ID, By: end.By, Reason: reason})
	// After CallClosed: the GUI opens wrap-up on the state change.
	if e.consultFor == "" {
		p.c.shift.callClosed(e.info.ID, e.info.Direction, up, declined)
	}
	p.rebindAfterCall()
}

// endOf returns what is known of an ended call.
func (p *phone) endOf(id string) (endRecord, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s, ok := p.ended[id]
	return s, ok
}

func qualityOf(s media.Stats) ui.Quality {
	return ui.Quality{Codec: s.Codec, LossPercent: s.LossPercent, JitterMs: s.JitterMs, RTTMs: s.RTTMs, MOS: s.MOS}
}

func (p *phone) entry(id string) (*callEntry, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.calls[id]
	if !ok {
		return nil, fmt.Errorf("call %s: %w", id, sip.ErrCallEnded)
	}
	return e, nil
}

// Dial calls number with the agent's devices.
func (p *phone) Dial(ctx context.Context, number string) (ui.CallInfo, error) {
	p.mu.Lock()
	ua, busy := p.ua, len(p.calls) > 0
	p.mu.Unlock()
	if ua == nil {
		return ui.CallInfo{}, errors.New("not connected to the SIP server: start your shift first")
	}
	if busy {
		return ui.CallInfo{}, errors.New("a call is in progress: hang up first")
	}
	return p.dial(ctx, ua, number, "")
}

// dial places a call with its leg on the desk; consultFor names the call a
// consultation is about.
func (p *phone) dial(ctx context.Context, ua *sip.UA, number, consultFor string) (ui.CallInfo, error) {
	l, audio, err := p.desk.open(number, true)
	if err != nil {
		return ui.CallInfo{}, err
	}
	call, err := ua.Dial(ctx, number, audio)
	if err != nil {
		return ui.CallInfo{}, errors.Join(err, p.desk.release(l))
	}
	e := &callEntry{call: call, leg: l, consultFor: consultFor, info: ui.CallInfo{ID: call.CallID(), Direction: ui.Outbound,
		Remote: call.RemoteUser(), Started: time.Now()}}
	p.track(e)
	return e.info, nil
}

// Answer takes a ringing call with the agent's devices; the calls already
// answered are put on hold first (call waiting).
func (p *phone) Answer(ctx context.Context, id string) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	if err := p.holdOthers(ctx, e); err != nil {
		return err
	}
	l, audio, err := p.desk.open(e.info.Remote, false)
	if err != nil {
		_ = e.call.Reject(480) // Temporarily Unavailable: the caller is not left ringing
		return err
	}
	p.mu.Lock()
	e.leg = l
	p.mu.Unlock()
	if err := e.call.Answer(ctx, audio); err != nil {
		return err
	}
	// In the mix at once, not when the event loop gets to Established.
	p.desk.update(l, func(l *leg) { l.answered = true })
	return nil
}

// openAudio opens the call's devices: during a shift exactly those the
// check passed (never the system default of the moment: a Bluetooth
// headset or the laptop's speakers that became the default since are not
// what was checked), else the ones named in the settings.
func (p *phone) openAudio() (sip.Audio, func() error, error) {
	in, out, ok := p.c.shift.devices()
	if !ok {
		_, set, _ := p.c.settings.Load()
		in, out = set.InputDevice, set.OutputDevice
	}
	open := p.c.opts.OpenAudio
	if open == nil {
		open = openDevices
	}
	audio, closeAudio, err := open(in, out)
	if err != nil {
		return audio, closeAudio, err
	}
	audio, closeAudio = p.c.withProcessing(audio, closeAudio, in, out)
	return audio, closeAudio, nil
}

func (p *phone) Reject(_ context.Context, id string) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	p.mu.Lock()
	e.declined = true
	p.mu.Unlock()
	err = e.call.Reject(rejectBusy)
	select {
	case <-e.call.Done():
		return nil // ended: by our refusal, or the caller gave up first
	default:
		return err
	}
}

func (p *phone) Hangup(ctx context.Context, id string) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	return e.call.Hangup(ctx)
}

// Hold puts a call on hold or resumes it. A conference leg leaves the mix
// while held and comes back into the conference when resumed.
func (p *phone) Hold(ctx context.Context, id string, on bool) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	if on {
		// Out of the mix at once, so nobody hears anything more.
		p.desk.update(e.leg, func(l *leg) { l.held = true })
		if err := e.call.Hold(ctx); err != nil {
			if local, _ := e.call.Held(); !local {
				p.desk.update(e.leg, func(l *leg) { l.held = false })
			}
			return err
		}
		return nil
	}
	if err := e.call.Resume(ctx); err != nil {
		return err
	}
	p.desk.update(e.leg, func(l *leg) { l.held = false })
	return nil
}

// Mute stops the agent's voice reaching the call (and a supervisor
// listening to it).
func (p *phone) Mute(id string, on bool) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	e.call.Mute(on)
	p.desk.update(e.leg, func(l *leg) { l.muted = on })
	return nil
}

func (p *phone) SendDTMF(id, digits string) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	return e.call.SendDTMF(ctx, digits)
}

func (p *phone) Transfer(ctx context.Context, id, target string) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	return e.call.Transfer(ctx, target)
}

// closeUA stops the UA's loop and closes it (hanging up, unregistering),
// or the wait for a network to build one on.
func (p *phone) closeUA() error {
	p.stopWaiting()
	p.mu.Lock()
	ua, stop := p.ua, p.stop
	p.ua, p.stop = nil, nil
	p.mu.Unlock()
	if ua == nil {
		return nil
	}
	err := ua.Close()
	stop()
	return err
}

// close ends every call and waits for the loops. It is idempotent.
func (p *phone) close() error {
	p.stopPres()
	p.mu.Lock()
	p.shut = true
	p.mu.Unlock()
	err := p.closeUA()
	p.wg.Wait()
	// A rebuild that was past its closed check has made a new UA: close it too.
	return errors.Join(err, p.closeUA(), p.desk.close())
}

// oneLine keeps an error to one line for the GUI.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
