package sip

import "sync"

// group owns goroutines: it starts them until it is closed and then
// waits for every one it started. Unlike a bare WaitGroup it refuses new
// work once closing, so nothing starts while Close tears the UA down.
type group struct {
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// Go runs f on a new goroutine owned by the group; false when the group
// is closed and f was not started.
func (g *group) Go(f func()) bool {
	if !g.enter() {
		return false
	}
	go func() {
		defer g.leave()
		f()
	}()
	return true
}

// enter counts the calling goroutine (a sipgo handler) as one the group
// waits for; false when closed. Pair every true with leave.
func (g *group) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

func (g *group) leave() { g.wg.Done() }

// close refuses new goroutines from now on; it does not wait.
func (g *group) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// wait returns when every goroutine the group started has returned. Call
// after close, or it may wait for ones started later.
func (g *group) wait() { g.wg.Wait() }
