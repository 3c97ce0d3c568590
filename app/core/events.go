package core

import (
	"sync"

	"github.com/homeshore/homeshore/app/ui"
)

// eventBuffer absorbs bursts (a call ending emits quality, closed and a
// state change at once) while the GUI thread is busy.
const eventBuffer = 256

// hub is the one channel of ui events the GUI reads. Emitters block when
// it is full rather than drop an event: the GUI must see a call close.
type hub struct {
	ch     chan ui.Event
	mu     sync.RWMutex
	closed bool
	done   chan struct{}
	// taps see every event before the GUI does (live status for the
	// supervisors' wallboard); they must not block.
	taps []func(ui.Event)
}

// tap registers fn to see every event; call it before events flow.
func (h *hub) tap(fn func(ui.Event)) {
	h.mu.Lock()
	h.taps = append(h.taps, fn)
	h.mu.Unlock()
}

func newHub() *hub { return &hub{ch: make(chan ui.Event, eventBuffer), done: make(chan struct{})} }

// Events implements ui.EventSource; the channel closes when the core closes.
func (h *hub) Events() <-chan ui.Event { return h.ch }

func (h *hub) emit(ev ui.Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed {
		return
	}
	for _, fn := range h.taps {
		fn(ev)
	}
	select {
	case h.ch <- ev:
	case <-h.done:
	}
}

// release stops emitters from waiting for room: the GUI no longer reads.
func (h *hub) release() {
	select {
	case <-h.done:
	default:
		close(h.done)
	}
}

func (h *hub) close() {
	h.release()
	h.mu.Lock()
	h.closed = true
	close(h.ch)
	h.mu.Unlock()
}
