package sip_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sipgo "github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/sip"
)

// tcpRegistrar is a registrar over TCP that answers REGISTER and OPTIONS
// with 200 and CRLF pings with a pong (RFC 5626 §3.5.1) while pong is set.
// It counts connections, so a test sees the UA open a new flow.
type tcpRegistrar struct {
	t     *testing.T
	ln    net.Listener
	pong  atomic.Bool
	conns atomic.Int32
	wg    sync.WaitGroup
	pings chan struct{} // one per ping seen
}

func newTCPRegistrar(t *testing.T) *tcpRegistrar {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &tcpRegistrar{t: t, ln: ln, pings: make(chan struct{}, 16)}
	r.pong.Store(true)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.conns.Add(1)
			r.wg.Add(1)
			go func() { defer r.wg.Done(); r.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); r.wg.Wait() })
	return r
}

func (r *tcpRegistrar) addr() string { return r.ln.Addr().String() }

// serve reads pings and requests off one connection and answers them.
func (r *tcpRegistrar) serve(c net.Conn) {
	defer c.Close()
	in := bufio.NewReader(c)
	for {
		if err := c.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
			return
		}
		head, ping, err := readHead(in)
		if err != nil {
			return
		}
		if ping {
			r.pings <- struct{}{}
			if r.pong.Load() {
				_, _ = c.Write([]byte("\r\n"))
			}
			continue
		}
		msg, err := sipgo.ParseMessage(head)
		if err != nil {
			r.t.Errorf("registrar: %v\n%s", err, head)
			return
		}
		req, ok := msg.(*sipgo.Request)
		if !ok {
			continue
		}
		if n, _ := strconv.Atoi(headerOr(req, "Content-Length", "0")); n > 0 {
			if _, err := io.CopyN(io.Discard, in, int64(n)); err != nil {
				return
			}
		}
		res := sipgo.NewResponseFromRequest(req, 200, "OK", nil)
		if req.Method == sipgo.REGISTER {
			if ct := req.Contact(); ct != nil && headerOr(req, "Expires", "") != "0" {
				c := ct.Clone()
				c.Params.Add("expires", "300")
				res.AppendHeader(c)
			}
		}
		if _, err := c.Write([]byte(res.String())); err != nil {
			return
		}
	}
}

// readHead reads a request's headers up to the empty line, or a bare
// CRLFCRLF ping (ping true).
func readHead(in *bufio.Reader) (head []byte, ping bool, err error) {
	blanks := 0
	for {
		line, err := in.ReadBytes('\n')
		if err != nil {
			return nil, false, err
		}
		if string(line) != "\r\n" {
			head = append(head, line...)
			continue
		}
		if len(head) > 0 {
			return append(head, line...), false, nil
		}
		if blanks++; blanks == 2 {
			return nil, true, nil
		}
	}
}

func headerOr(req *sipgo.Request, name, def string) string {
	if h := req.GetHeader(name); h != nil {
		return strings.TrimSpace(h.Value())
	}
	return def
}

// TestSilentFlowIsReplaced: over TCP the keepalive is also an RFC 5626
// CRLF ping. A server that answered pings and stops (a dead NAT binding,
// a hung server) makes the flow fail 10 s after the unanswered ping: we
// drop the connection and register again over a new one.
func TestSilentFlowIsReplaced(t *testing.T) {
	t.Parallel()
	reg := newTCPRegistrar(t)
	clock := sip.NewFakeClock()
	const keepAlive, check = 30 * time.Second, 2 * time.Second
	ua := newUA(t, sip.Config{Registrar: reg.addr(), User: "alice", Transport: sip.TransportTCP, Clock: clock,
		KeepAlive: keepAlive, NetworkCheck: check, RequestTimeout: 3 * time.Second})
	register(t, ua)
	<-clock.WaitArmed(3) // refresh, keepalive, network check

	// step moves the clock by d, one network check at a time as real
	// time would, and waits each time until the UA has handled the timers
	// that fired (it re-arms each one it handles).
	step := func(d time.Duration) {
		for left := d; left > 0; left -= check {
			clock.Advance(min(check, left))
			<-clock.WaitArmed(3)
		}
	}
	step(keepAlive) // first ping: answered
	<-reg.pings
	reg.pong.Store(false)
	step(keepAlive) // second ping: no answer from now on
	<-reg.pings
	step(10 * time.Second) // within the pong wait
	select {
	case ev := <-ua.Events():
		t.Fatalf("flow declared failed within the 10 s a pong may take: %#v", ev)
	default:
	}
	clock.Advance(check)
	lost := waitUAEvent[sip.Reconnecting](t, ua, 5*time.Second)
	if !errors.Is(lost.Err, sip.ErrConnectionLost) {
		t.Fatalf("reconnecting because %v, want a lost connection", lost.Err)
	}
	waitUAEvent[sip.Registered](t, ua, 5*time.Second)
	if n := reg.conns.Load(); n != 2 {
		t.Fatalf("%d connections to the registrar, want a new one after the silent flow", n)
	}
}
