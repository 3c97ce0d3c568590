package sip_test

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	sipgo "github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/sip"
)

// udpRegistrar answers REGISTER with 200 (our contact, 300 s) and each
// OPTIONS to the user's address with the code options(n) for the n-th one.
type udpRegistrar struct {
	conn    net.PacketConn
	options func(n int) int
	probes  chan int // the code of each OPTIONS answered
	seen    atomic.Int32
}

func newUDPRegistrar(t *testing.T, options func(n int) int) *udpRegistrar {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &udpRegistrar{conn: conn, options: options, probes: make(chan int, 16)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 65535)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			msg, err := sipgo.ParseMessage(buf[:n])
			req, ok := msg.(*sipgo.Request)
			if err != nil || !ok {
				continue
			}
			code := 200
			if req.Method == sipgo.OPTIONS {
				code = r.options(int(r.seen.Add(1)))
			}
			res := sipgo.NewResponseFromRequest(req, code, "Whatever", nil)
			if req.Method == sipgo.REGISTER {
				if ct := req.Contact(); ct != nil {
					c := ct.Clone()
					c.Params.Add("expires", "300")
					res.AppendHeader(c)
				}
			}
			if _, err := conn.WriteTo([]byte(res.String()), from); err != nil {
				return
			}
			if req.Method == sipgo.OPTIONS {
				r.probes <- code
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return r
}

// TestKeepaliveTrustsOnlyAServerThatRoutesUsBack: the keepalive reads a
// 404 to our own address as "binding lost" only from a server that once
// answered it 2xx (it routes the OPTIONS to our registered contact). A
// server that answers OPTIONS for its users itself, 404 from the first one
// on, would otherwise make us re-register every keepalive.
func TestKeepaliveTrustsOnlyAServerThatRoutesUsBack(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options func(n int) int
		lost    bool
	}{
		{"answers for its users itself", func(int) int { return 404 }, false},
		{"routes us back, then forgets us", func(n int) int {
			if n == 1 {
				return 200
			}
			return 404
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reg := newUDPRegistrar(t, tc.options)
			clock := sip.NewFakeClock()
			const keepAlive = 30 * time.Second
			ua := newUA(t, sip.Config{Registrar: reg.conn.LocalAddr().String(), User: "alice", Clock: clock, KeepAlive: keepAlive, NetworkCheck: -1})
			register(t, ua) // after the first (calibrating) OPTIONS
			<-reg.probes
			<-clock.WaitArmed(2) // refresh, keepalive
			clock.Advance(keepAlive)
			if code := <-reg.probes; code != 404 {
				t.Fatalf("second keepalive answered %d", code)
			}
			if !tc.lost {
				<-clock.WaitArmed(2) // the keepalive was handled and re-armed
				select {
				case ev := <-ua.Events():
					t.Fatalf("a 404 from a server that never routed us back: %#v", ev)
				default:
				}
				return
			}
			lost := waitUAEvent[sip.Reconnecting](t, ua, 5*time.Second)
			if !errors.Is(lost.Err, sip.ErrBindingLost) {
				t.Fatalf("reconnecting because %v", lost.Err)
			}
			waitUAEvent[sip.Registered](t, ua, 5*time.Second)
		})
	}
}
