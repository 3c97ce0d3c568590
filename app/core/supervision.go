package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/livestatus"
	"github.com/homeshore/homeshore/app/messages"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/server/api"
)

// ErrNoSupervision means the ticket backend in use does not serve the
// supervisors' side (live status, messages): it is not homeshore-server.
var ErrNoSupervision = errors.New("the ticket server does not offer messages and live status: ask IT for a Homeshore server address")

// session is what the supervision clients need of the ticket backend: its
// authenticated requests and event stream (backend.HTTPBackend).
type session interface {
	Do(ctx context.Context, method, path, key string, in, out any) error
	Stream(ctx context.Context, path, lastID string) (io.ReadCloser, error)
}

// supervision is the agent app's side of the supervisors' console: it
// reports the agent's state, call and live quality (app/livestatus) from the
// core's events, and runs the message and help client (app/messages), both
// over the ticket client's backend session. It starts on the first event
// once a backend is set, and stops with the core.
type supervision struct {
	c *Core

	mu       sync.Mutex
	reporter *livestatus.Reporter
	msgs     *messages.Client
	stop     context.CancelFunc
	wg       sync.WaitGroup
	subs     map[int]func(messages.Event)
	nextSub  int
	calls    liveCalls    // the current and waiting calls (livecalls.go)
	line     api.LiveLine // the phone line, also while no backend is set
	closed   bool
}

func newSupervision(c *Core) *supervision {
	return &supervision{c: c, subs: map[int]func(messages.Event){}, line: api.LiveLine{State: api.LineOff}}
}

// start opens the clients on the ticket backend's session if not yet done.
func (s *supervision) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return messages.ErrClosed
	}
	if s.reporter != nil {
		return nil
	}
	if _, err := s.c.tickets.open(); err != nil {
		return err
	}
	s.c.tickets.mu.Lock()
	sess, ok := s.c.tickets.be.(session)
	s.c.tickets.mu.Unlock()
	if !ok {
		return ErrNoSupervision
	}
	acc := s.c.settings.account()
	if acc.AgentLogin == "" {
		return fmt.Errorf("no agent login is set for the ticket server: %w", ErrNoBackend)
	}
	mc, err := messages.Open(filepath.Join(s.c.opts.DataDir, "messages.db"), messages.NewHTTPBackend(sess),
		messages.Options{Me: acc.AgentLogin, Logger: s.c.log, Notify: s.notify})
	if err != nil {
		return err
	}
	r := livestatus.New(livestatus.NewHTTPSender(sess), livestatus.Options{Logger: s.c.log})
	r.SetLine(s.line)
	ctx, stop := context.WithCancel(context.Background())
	s.reporter, s.msgs, s.stop = r, mc, stop
	for _, run := range []func(context.Context) error{r.Run, mc.Run} {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := run(ctx); err != nil {
				s.c.log.Warn("supervision client stopped", "err", err)
			}
		}()
	}
	return nil
}

// notify hands message events to the subscribers (the GUI).
func (s *supervision) notify(e messages.Event) {
	s.mu.Lock()
	subs := make([]func(messages.Event), 0, len(s.subs))
	for _, fn := range s.subs {
		subs = append(subs, fn)
	}
	s.mu.Unlock()
	for _, fn := range subs {
		fn(e)
	}
	s.guiNotice(e)
}

// observe turns the core's events into live status. It runs on the
// emitter's goroutine and never blocks on the network.
func (s *supervision) observe(ev ui.Event) {
	if rc, ok := ev.(ui.RegistrationChanged); ok {
		if line, ok := liveLine(rc.Status, time.Now()); ok {
			s.mu.Lock()
			s.line = line
			s.mu.Unlock()
		}
	}
	if err := s.start(); err != nil {
		return // no backend yet: the next event tries again
	}
	s.mu.Lock()
	r := s.reporter
	s.mu.Unlock()
	if r == nil {
		return
	}
	switch ev := ev.(type) {
	case ui.ShiftStateChanged:
		r.SetState(apiState(ev.Status.State), ev.Status.Reason, ev.Status.Since)
	case ui.IncomingCall:
		s.callsChanged(r, func(l *liveCalls) bool { l.ring(ev.Call); return true })
	case ui.CallEstablished:
		s.callsChanged(r, func(l *liveCalls) bool { l.answer(ev.Call); return true })
	case ui.QualityUpdated:
		r.SetQuality(ev.CallID, api.CallQuality{Codec: ev.Quality.Codec, LossPct: ev.Quality.LossPercent,
			JitterMs: ev.Quality.JitterMs, MOS: ev.Quality.MOS})
	case ui.CallClosed:
		s.callsChanged(r, func(l *liveCalls) bool { return l.end(ev.CallID) })
	case ui.RegistrationChanged:
		if ev.Status.State == ui.RegRegistered {
			r.SetSIPURI(s.sipURI())
		}
		s.mu.Lock()
		line := s.line
		s.mu.Unlock()
		r.SetLine(line)
	}
}

// callsChanged applies change to the calls followed and, when it changed
// them, reports the current and waiting calls.
func (s *supervision) callsChanged(r *livestatus.Reporter, change func(*liveCalls) bool) {
	s.mu.Lock()
	changed := change(&s.calls)
	call, waiting := s.calls.current()
	s.mu.Unlock()
	if changed {
		r.SetCalls(call, waiting)
	}
}

// sipURI is the agent's address of record (where a supervisor's monitor
// call is sent): sip:user@domain, the domain being the registrar's.
func (s *supervision) sipURI() string {
	acc := s.c.settings.account()
	domain := s.c.settings.sipProfile().Domain
	if domain == "" {
		domain = acc.Server
		if h, _, err := net.SplitHostPort(domain); err == nil {
			domain = h
		}
	}
	if acc.User == "" || domain == "" {
		return ""
	}
	return "sip:" + acc.User + "@" + domain
}

func liveCall(ci ui.CallInfo) *api.LiveCall {
	c := &api.LiveCall{ID: ci.ID, Direction: api.Inbound, Number: ci.Remote, StartedAt: ci.Started.UTC()}
	if ci.Direction == ui.Outbound {
		c.Direction = api.Outbound
	}
	if !ci.Answered.IsZero() {
		a := ci.Answered.UTC()
		c.AnsweredAt = &a
	}
	return c
}

// apiState names a GUI state as the backend does.
func apiState(st ui.AgentState) string {
	switch st {
	case ui.StateChecking:
		return "checking"
	case ui.StateAvailable:
		return api.StateAvailable
	case ui.StateOnCall:
		return api.StateOnCall
	case ui.StateWrapUp:
		return api.StateWrapUp
	case ui.StateNotReady:
		return api.StateNotReady
	case ui.StateBreak:
		return api.StateBreak
	}
	return api.StateOffline
}

func (s *supervision) close() error {
	s.mu.Lock()
	s.closed = true
	stop, mc := s.stop, s.msgs
	s.mu.Unlock()
	if stop == nil {
		return nil
	}
	stop()
	s.wg.Wait()
	return mc.Close()
}

// Messages is the agent's message and help client (opened with the ticket
// backend's session). The GUI lists, sends and marks read through it.
func (c *Core) Messages() (*messages.Client, error) {
	if err := c.super.start(); err != nil {
		return nil, err
	}
	c.super.mu.Lock()
	defer c.super.mu.Unlock()
	return c.super.msgs, nil
}

// SendMessage sends a message to a supervisor (to = username; "" = the
// supervisors of the agent's queues), delivered even after an outage.
func (c *Core) SendMessage(ctx context.Context, to, body string) (messages.Message, error) {
	mc, err := c.Messages()
	if err != nil {
		return messages.Message{}, err
	}
	return mc.Send(ctx, to, body)
}

// RaiseHelp puts the agent's hand up on the supervisors' wallboard.
func (c *Core) RaiseHelp(ctx context.Context, note string) (messages.Message, error) {
	mc, err := c.Messages()
	if err != nil {
		return messages.Message{}, err
	}
	return mc.Help(ctx, note)
}

// CancelHelp lowers the agent's hand (their open help request), offline-first.
func (c *Core) CancelHelp(ctx context.Context) (messages.Message, error) {
	mc, err := c.Messages()
	if err != nil {
		return messages.Message{}, err
	}
	return mc.CancelHelp(ctx)
}

// OnMessage calls fn for each message event (received, delivered, help
// taken, refused), from the sync goroutine: fn must not block (the GUI
// hands it to fyne.Do). It returns a func that stops the calls.
func (c *Core) OnMessage(fn func(messages.Event)) (unsubscribe func()) {
	s := c.super
	s.mu.Lock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.subs, id)
		s.mu.Unlock()
	}
}

// LiveStatus is the status the app reports to the wallboard now (tests).
func (c *Core) LiveStatus() (api.LiveStatus, bool) {
	c.super.mu.Lock()
	r := c.super.reporter
	c.super.mu.Unlock()
	if r == nil {
		return api.LiveStatus{}, false
	}
	return r.Status(), true
}

// guiMessages is ui.MessageClient over the message client.
type guiMessages struct{ c *Core }

func (g guiMessages) List(ctx context.Context) ([]ui.Message, error) {
	mc, err := g.c.Messages()
	if err != nil {
		return nil, err
	}
	list, err := mc.List(ctx)
	if err != nil {
		return nil, err
	}
	me := g.c.settings.account().AgentLogin
	out := make([]ui.Message, 0, len(list))
	for _, m := range list {
		out = append(out, ui.Message{ID: m.ID, FromName: m.FromName, Body: m.Body, At: m.CreatedAt, Mine: m.From == me,
			Help: m.Kind == api.KindHelp, Pending: m.Pending, TakenBy: m.TakenByName, Cancelled: m.CancelledAt != nil})
	}
	return out, nil
}

func (g guiMessages) Send(ctx context.Context, body string) error {
	_, err := g.c.SendMessage(ctx, "", body)
	return err
}

func (g guiMessages) Help(ctx context.Context, note string) error {
	_, err := g.c.RaiseHelp(ctx, note)
	return err
}

func (g guiMessages) CancelHelp(ctx context.Context) error {
	_, err := g.c.CancelHelp(ctx)
	return err
}

func (g guiMessages) MarkRead(ctx context.Context) error {
	mc, err := g.c.Messages()
	if err != nil {
		return err
	}
	return mc.MarkRead(ctx, "")
}

// guiNotice tells the GUI that messages changed (unread count, a help
// request taken); it runs on the message client's sync goroutine.
func (s *supervision) guiNotice(e messages.Event) {
	s.mu.Lock()
	mc := s.msgs
	s.mu.Unlock()
	if mc == nil {
		return
	}
	var ev ui.MessagesChanged
	if ht, ok := e.(messages.HelpTaken); ok {
		ev.HelpTakenBy = ht.Message.TakenByName
	}
	n, err := mc.Unread(context.Background())
	if err != nil {
		s.c.log.Warn("counting unread messages", "err", err)
	}
	ev.Unread = n
	s.c.events.emit(ev)
}
