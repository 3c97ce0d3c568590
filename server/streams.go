package server

import (
	"net/http"
	"sync"
)

// Limits on open live event streams. Each holds a goroutine, a connection
// and an event buffer for as long as the client keeps it: without a cap one
// account could open streams until the server ran out of memory or file
// descriptors. A browser tab holds one, the agent app one; a dead client's
// stream goes within a few minutes (TCP keepalive).
const (
	// DefaultStreamsPerUser bounds one account's open streams.
	DefaultStreamsPerUser = 16
	// DefaultMaxStreams bounds the streams of one server.
	DefaultMaxStreams = 4096
)

var (
	errTooManyStreams = &apiError{Status: http.StatusTooManyRequests, Code: "too_many_streams",
		Message: "too many live streams open for this account; close other console tabs and try again", RetryAfter: 5}
	errStreamsFull = &apiError{Status: http.StatusServiceUnavailable, Code: "busy",
		Message: "the server has as many live streams open as it can hold; try again in a minute", RetryAfter: 30}
)

// streamGate counts open streams per user and in all.
type streamGate struct {
	mu      sync.Mutex
	perUser int
	max     int
	total   int
	users   map[string]int
}

func newStreamGate(perUser, max int) *streamGate {
	return &streamGate{perUser: perUser, max: max, users: map[string]int{}}
}

// acquire takes a stream slot for user; release gives it back (once).
func (g *streamGate) acquire(user string) (release func(), err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.users[user] >= g.perUser:
		return nil, errTooManyStreams
	case g.total >= g.max:
		return nil, errStreamsFull
	}
	g.users[user]++
	g.total++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			g.total--
			if g.users[user]--; g.users[user] <= 0 {
				delete(g.users, user)
			}
		})
	}, nil
}
