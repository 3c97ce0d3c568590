package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	appshift "github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/sip"
)

// liveCustomers call the agent in the live demo; the first has tickets in
// the agent's queue, so the screen-pop shows them. The second is named as
// the demo's tickets name him in the demo's language.
func (l *Live) liveCustomers() []customer {
	return []customer{
		{"Claire Martin", "+33612345678"},
		{server.DemoCustomer(l.lang), "+14155550134"},
	}
}

// customers rings the agent while they are Available: the first call
// FirstCall after the shift starts, then one every CallEvery. Each call
// comes from its own user agent whose user part is the caller's number.
func (l *Live) customers(ctx context.Context) {
	available := make(chan struct{}, 1)
	var newShift atomic.Bool
	unsubscribe := l.core.Machine().Subscribe(func(ev appshift.Event) {
		if _, ok := ev.(appshift.ClockedIn); ok {
			newShift.Store(true)
		}
		if sc, ok := ev.(appshift.StateChanged); ok && sc.To == appshift.Available {
			select {
			case available <- struct{}{}:
			default:
			}
		}
	})
	defer unsubscribe()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	pending, n := false, 0 // n picks the next customer
	for {
		select {
		case <-ctx.Done():
			return
		case <-available:
			switch {
			case newShift.Swap(false):
				timer.Stop()
				timer.Reset(l.timing.FirstCall)
				pending = true
			case !pending:
				timer.Reset(l.timing.CallEvery)
				pending = true
			}
			continue
		case <-timer.C:
			pending = false
		}
		st, _ := l.core.Machine().State()
		agent := l.core.SIPAddr()
		if st != appshift.Available || agent == "" {
			continue // the next Available schedules the call again
		}
		callers := l.liveCustomers()
		c := callers[n%len(callers)]
		n++
		if err := l.call(ctx, c, agent); err != nil {
			l.log.Info("demo customer call", "customer", c.name, "result", err)
		}
		if st, _ := l.core.Machine().State(); st == appshift.Available && !pending {
			timer.Reset(l.timing.CallEvery)
			pending = true
		}
	}
}

// call is one customer's call: ring, talk for TalkFor, hang up.
func (l *Live) call(ctx context.Context, c customer, agent string) error {
	ua, err := sip.New(sip.Config{ListenAddr: "127.0.0.1:0", User: c.phone, DisplayName: c.name}, sip.WithLogger(l.log))
	if err != nil {
		return err
	}
	defer ua.Close()
	voice, err := loopWAV(l.voice)
	if err != nil {
		return err
	}
	defer voice.Close()
	call, err := ua.Dial(ctx, "sip:agent@"+agent, sip.Audio{Source: voice})
	if err != nil {
		return err
	}
	ringCtx, cancel := context.WithTimeout(ctx, l.timing.RingFor)
	err = call.WaitAnswered(ringCtx)
	cancel()
	if err != nil {
		_ = call.Hangup(context.Background())
		<-call.Done()
		return fmt.Errorf("not answered: %w", err)
	}
	return l.talk(ctx, call)
}

// talk lets the call run TalkFor unless the agent hangs up first.
func (l *Live) talk(ctx context.Context, call *sip.Call) error {
	t := time.NewTimer(l.timing.TalkFor)
	defer t.Stop()
	select {
	case <-call.Done():
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	hctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := call.Hangup(hctx)
	<-call.Done()
	if errors.Is(err, sip.ErrCallEnded) {
		return nil
	}
	return err
}

// answerLine answers the agent's outgoing calls after AnswerAfter with the
// customer's voice.
func (l *Live) answerLine(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-l.line.Events():
			in, ok := ev.(sip.IncomingCall)
			if !ok {
				continue
			}
			l.spawn(func(ctx context.Context) {
				if !sleep(ctx, l.timing.AnswerAfter) {
					return
				}
				voice, err := loopWAV(l.voice)
				if err != nil {
					_ = in.Call.Reject(480)
					return
				}
				defer voice.Close()
				err = in.Call.Answer(ctx, sip.Audio{Source: voice})
				if err == nil {
					err = l.talk(ctx, in.Call)
				}
				// The agent hanging up while it rang, or the demo stopping,
				// is how these calls normally end.
				if err != nil && !errors.Is(err, sip.ErrCallCancelled) && !errors.Is(err, context.Canceled) {
					l.log.Info("demo line call", "result", err)
				}
			})
		}
	}
}

// wavLoop plays a WAV file over and over.
type wavLoop struct {
	path string
	cur  *media.WAVSource
}

func loopWAV(path string) (*wavLoop, error) {
	s, err := media.OpenWAVSource(path)
	if err != nil {
		return nil, err
	}
	return &wavLoop{path: path, cur: s}, nil
}

func (w *wavLoop) Read(frame []int16) error {
	err := w.cur.Read(frame)
	if !errors.Is(err, io.EOF) {
		return err
	}
	w.cur.Close()
	next, err := media.OpenWAVSource(w.path)
	if err != nil {
		return err
	}
	w.cur = next
	return w.cur.Read(frame)
}

// Close releases the file; call it once the call is over.
func (w *wavLoop) Close() error { return w.cur.Close() }

func (w *wavLoop) String() string { return "Loop(" + w.cur.String() + ")" }
