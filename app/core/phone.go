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
	shut       bool // close ran: no new user agent
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
	closeAudio  func() error
	established bool
	declined    bool // the agent rejected it
}

func newPhone(c *Core) *phone {
	return &phone{c: c, calls: map[string]*callEntry{}, ended: map[string]endRecord{}}
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
// the profile's other SIP fields and the policy.
func (p *phone) sipConfig(acc ui.Account) (sip.Config, error) {
	prof := p.c.settings.sipProfile()
	acc = p.c.settings.applyPolicy(acc)
	cfg := sip.Config{
		Registrar: acc.Server, User: acc.User, AuthUser: acc.AuthUser, Password: acc.Password,
		Transport: acc.Transport, Domain: prof.Domain, DisplayName: prof.DisplayName,
		OutboundProxy: pick(p.c.policy.SIP.OutboundProxy, prof.OutboundProxy), CAFile: prof.CAFile,
		ListenAddr: p.c.opts.SIPListen,
	}
	if p.c.opts.Direct {
		cfg.Registrar, cfg.Domain, cfg.Password = "", acc.Server, ""
	}
	var err error
	if cfg.Expires, cfg.KeepAlive, err = prof.RegistrationTiming(&p.c.policy); err != nil {
		return sip.Config{}, err
	}
	cfg.SRTP = sip.SRTPMode(pick(prof.SRTP, string(sip.SRTPOff)))
	if p.c.policy.Locked("sip.srtp") {
		cfg.SRTP = sip.SRTPMode(p.c.policy.SIP.SRTP)
	}
	_, set, _ := p.c.settings.Load()
	codecs := set.Codecs
	if p.c.policy.Locked("sip.codecs") {
		codecs = p.c.policy.SIP.Codecs
	}
	for _, name := range codecs {
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
	ua, err := sip.New(cfg, sip.WithLogger(p.c.log))
	if err != nil {
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
	return ua.Register(ctx)
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
				if ev.Unreachable > 0 {
					p.c.log.Info("phone line back", "server", server, "unreachable", ev.Unreachable.Round(time.Second))
				}
				p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegRegistered, Server: server}})
			case sip.Reconnecting:
				p.c.log.Warn("phone line lost, reconnecting", "server", server, "since", ev.Since, "err", ev.Err)
				p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegReconnecting, Server: server,
					Detail: oneLine(ev.Err), Since: ev.Since}})
				p.rebindIfMoved(ev.Err)
			case sip.RegistrationFailed:
				p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegFailed, Server: server,
					Detail: oneLine(ev.Err), Since: ev.Since}})
			case sip.Unregistered:
				p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegNone, Server: server}})
			case sip.IncomingCall:
				p.incoming(ev.Call)
			}
		}
	}
}

// incoming offers a call to the GUI, or refuses it when the agent cannot
// take it (already on a call, or clocked in but not Available).
func (p *phone) incoming(call *sip.Call) {
	st, _ := p.c.machine.State()
	p.mu.Lock()
	busy := len(p.calls) > 0
	p.mu.Unlock()
	if busy || !p.c.shift.canRing() {
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
	for {
		select {
		case ev := <-e.call.Events():
			switch ev := ev.(type) {
			case sip.Established:
				p.established(e)
			case sip.DTMFReceived:
				p.c.events.emit(ui.DTMFReceived{CallID: e.info.ID, Digit: string(ev.Digit)})
			case sip.Ended:
				p.closed(e, ev.Info)
				return
			}
		case <-e.call.Done():
			// Ended is queued before Done closes; take it if it is there.
			select {
			case ev := <-e.call.Events():
				if end, ok := ev.(sip.Ended); ok {
					p.closed(e, end.Info)
					return
				}
			default:
			}
			p.closed(e, e.call.End())
			return
		case <-tick.C:
			p.mu.Lock()
			up := e.established
			p.mu.Unlock()
			if up {
				p.c.events.emit(ui.QualityUpdated{CallID: e.info.ID, Quality: qualityOf(e.call.Stats())})
			}
		}
	}
}

func (p *phone) established(e *callEntry) {
	p.mu.Lock()
	e.established = true
	e.info.Answered = e.call.AnsweredAt()
	info := e.info
	p.mu.Unlock()
	p.c.events.emit(ui.CallEstablished{Call: info})
	p.c.shift.callAnswered(info.ID)
}

func (p *phone) closed(e *callEntry, end sip.EndInfo) {
	stats := e.call.Stats()
	p.mu.Lock()
	delete(p.calls, e.info.ID)
	p.ended[e.info.ID] = endRecord{stats: stats, answered: e.call.AnsweredAt(), ended: time.Now()}
	up, declined := e.established, e.declined
	closeAudio := e.closeAudio
	p.mu.Unlock()
	if closeAudio != nil {
		if err := closeAudio(); err != nil {
			p.c.log.Warn("closing call audio", "err", err)
		}
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
	p.c.shift.callClosed(e.info.ID, e.info.Direction, up, declined)
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
	audio, closeAudio, err := p.openAudio()
	if err != nil {
		return ui.CallInfo{}, err
	}
	call, err := ua.Dial(ctx, number, audio)
	if err != nil {
		return ui.CallInfo{}, errors.Join(err, closeAudio())
	}
	e := &callEntry{call: call, closeAudio: closeAudio, info: ui.CallInfo{ID: call.CallID(), Direction: ui.Outbound,
		Remote: call.RemoteUser(), Started: time.Now()}}
	p.track(e)
	return e.info, nil
}

// Answer takes a ringing call with the agent's devices.
func (p *phone) Answer(ctx context.Context, id string) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	audio, closeAudio, err := p.openAudio()
	if err != nil {
		_ = e.call.Reject(480) // Temporarily Unavailable: the caller is not left ringing
		return err
	}
	p.mu.Lock()
	e.closeAudio = closeAudio
	p.mu.Unlock()
	return e.call.Answer(ctx, audio)
}

// openAudio opens the devices named in the settings.
func (p *phone) openAudio() (sip.Audio, func() error, error) {
	_, set, _ := p.c.settings.Load()
	open := p.c.opts.OpenAudio
	if open == nil {
		open = openDevices
	}
	audio, closeAudio, err := open(set.InputDevice, set.OutputDevice)
	if err != nil {
		return audio, closeAudio, err
	}
	audio, closeAudio = p.c.withProcessing(audio, closeAudio, set.InputDevice, set.OutputDevice)
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

func (p *phone) Hold(ctx context.Context, id string, on bool) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	if on {
		return e.call.Hold(ctx)
	}
	return e.call.Resume(ctx)
}

func (p *phone) Mute(id string, on bool) error {
	e, err := p.entry(id)
	if err != nil {
		return err
	}
	e.call.Mute(on)
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

// closeUA stops the UA's loop and closes it (hanging up, unregistering).
func (p *phone) closeUA() error {
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
	p.mu.Lock()
	p.shut = true
	p.mu.Unlock()
	err := p.closeUA()
	p.wg.Wait()
	// A rebuild that was past its closed check has made a new UA: close it too.
	return errors.Join(err, p.closeUA())
}

// rebindIfMoved rebuilds the user agent when the computer's address
// changed: its SIP socket is bound to the old one, so registering again
// from it cannot work. A call in progress keeps the old one (its audio is
// lost anyway); the next registration change rebuilds it after.
func (p *phone) rebindIfMoved(why error) {
	var change *sip.NetworkChangeError
	if !errors.As(why, &change) || change.Change != sip.AddressChanged || p.c.opts.SIPListen != "" {
		return
	}
	p.mu.Lock()
	busy, acc := len(p.calls) > 0 || p.rebuilding || p.shut, p.acc
	if !busy {
		p.rebuilding = true
	}
	p.mu.Unlock()
	if busy {
		return
	}
	p.c.log.Info("rebuilding the SIP user agent on the new address", "from", change.Old, "to", change.New)
	p.wg.Add(1) // from the UA loop, itself counted in p.wg
	go func() {
		defer p.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*requestTimeout)
		defer cancel()
		err := p.Register(ctx, acc)
		p.mu.Lock()
		p.rebuilding = false
		p.mu.Unlock()
		if err != nil {
			p.c.log.Warn("registering on the new address", "err", err)
			p.c.events.emit(ui.RegistrationChanged{Status: ui.RegStatus{State: ui.RegFailed, Server: acc.Server, Detail: oneLine(err)}})
		}
	}()
}

// oneLine keeps an error to one line for the GUI.
func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
