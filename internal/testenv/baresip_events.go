package testenv

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Command sends a menu command such as "/dial sip:...", "/hangup",
// "/accept", "/hold", "/resume", "/sndcode 123#", "/transfer sip:..." and
// waits for baresip's answer.
func (b *Baresip) Command(cmd string) error {
	name, params := splitCommand(cmd)
	b.mu.Lock()
	if b.readErr != nil {
		err := b.readErr
		b.mu.Unlock()
		return fmt.Errorf("baresip ctrl_tcp closed: %w", err)
	}
	b.token++
	token := strconv.Itoa(b.token)
	reply := make(chan ctrlMessage, 1)
	b.pending[token] = reply
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.pending, token)
		b.mu.Unlock()
	}()
	data, err := json.Marshal(ctrlCommand{Command: name, Params: params, Token: token})
	if err != nil {
		return err
	}
	b.writeMu.Lock()
	err = writeNetstring(b.conn, data)
	b.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("send %q to baresip: %w", cmd, err)
	}
	select {
	case m := <-reply:
		if !m.OK {
			return fmt.Errorf("%w: %q: %s", ErrBaresipCommand, cmd, strings.TrimSpace(m.Data))
		}
		return nil
	case <-b.readDone:
		return fmt.Errorf("baresip ctrl_tcp closed during %q", cmd)
	case <-time.After(commandTimeout):
		return fmt.Errorf("baresip did not answer %q within %v", cmd, commandTimeout)
	}
}

func (b *Baresip) readLoop() {
	defer close(b.readDone)
	r := bufio.NewReader(b.conn)
	for {
		data, err := readNetstring(r)
		if err == nil {
			var m ctrlMessage
			m, err = decodeCtrl(data)
			if err == nil {
				b.dispatch(m)
				continue
			}
		}
		b.mu.Lock()
		b.readErr = err
		close(b.changed)
		b.changed = make(chan struct{})
		b.mu.Unlock()
		return
	}
}

func (b *Baresip) dispatch(m ctrlMessage) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case m.IsResponse:
		if c, ok := b.pending[m.Token]; ok {
			c <- m
		}
	case m.IsEvent:
		b.events = append(b.events, m.Event)
		close(b.changed)
		b.changed = make(chan struct{})
	}
}

// WaitEvent returns the next event of type typ not returned before by
// WaitEvent for that type (events are kept from the start, so none is lost
// to a race), waiting until ctx ends.
func (b *Baresip) WaitEvent(ctx context.Context, typ string) (Event, error) {
	return b.WaitEventFunc(ctx, func(e Event) bool { return e.Type == typ })
}

// EventTimeout is how long Expect waits for an event.
const EventTimeout = 15 * time.Second

// Expect is WaitEvent for tests: it waits up to EventTimeout and fails the
// test with baresip's log when the event does not come.
func (b *Baresip) Expect(t testing.TB, typ string) Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), EventTimeout)
	defer cancel()
	e, err := b.WaitEvent(ctx, typ)
	if err != nil {
		t.Fatalf("baresip %s: %v\nlog:\n%s", b.AOR, err, b.proc.tail(logTailLines))
	}
	return e
}

// WaitEventFunc is WaitEvent for the first not yet returned event match
// accepts. Events are counted per type, as in WaitEvent.
func (b *Baresip) WaitEventFunc(ctx context.Context, match func(Event) bool) (Event, error) {
	for {
		b.mu.Lock()
		seen := map[string]int{}
		for _, e := range b.events {
			seen[e.Type]++
			if seen[e.Type] <= b.consumed[e.Type] || !match(e) {
				continue
			}
			b.consumed[e.Type] = seen[e.Type]
			b.mu.Unlock()
			return e, nil
		}
		changed, readErr := b.changed, b.readErr
		b.mu.Unlock()
		if readErr != nil {
			return Event{}, fmt.Errorf("baresip ctrl_tcp closed: %w (events so far: %s)", readErr, b.eventTypes())
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Event{}, fmt.Errorf("no such baresip event: %w (events so far: %s)", ctx.Err(), b.eventTypes())
		}
	}
}

// Events returns every event received so far.
func (b *Baresip) Events() []Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.events)
}

func (b *Baresip) eventTypes() string {
	var types []string
	for _, e := range b.Events() {
		types = append(types, e.Type)
	}
	return strings.Join(types, " ")
}
