package sip_test

import (
	"net/netip"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// ownedGoroutines lists the stacks of goroutines the UA owns that are
// still running: call and registration work, request handlers.
func ownedGoroutines() []string {
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	var left []string
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		for _, f := range []string{"sip.(*Call).followTransfer", "sip.(*Call).waitAnswer", "sip.(*Call).ring",
			"sip.(*Call).forwardDTMF", "sip.(*UA).keepRegistered", "sip.(*UA).guard"} {
			if strings.Contains(g, "homeshore/"+f) {
				left = append(left, g)
				break
			}
		}
	}
	return left
}

// TestCloseWaitsForTheGoroutinesItOwns: Close returns only once every
// goroutine the UA started has: here a transfer (followTransfer) whose new
// call opens its audio slowly, as a real device can, while Close runs;
// and Close twice is fine. Not parallel: it looks at every goroutine of
// the test binary.
func TestCloseWaitsForTheGoroutinesItOwns(t *testing.T) {
	silent := newRawPeer(t) // the transfer target: never answers
	var opened atomic.Int32
	transferring := make(chan struct{})
	slowSecondOpen := func(laddr netip.Addr) (sip.MediaSession, error) {
		if opened.Add(1) == 2 { // the transfer's call
			close(transferring)
			time.Sleep(500 * time.Millisecond)
		}
		return media.NewSession(laddr, media.SessionOptions{})
	}
	ua := newUA(t, sip.Config{}, sip.WithMediaFactory(slowSecondOpen))
	calls := answerAll(t, ua)
	s := sippCalls(t, ua, "uac_refer.xml", "-key", "refer_to", "sip:target@"+silent.conn.LocalAddr().String())
	nextCall(t, calls, s)
	select {
	case <-transferring:
	case <-time.After(sippWait):
		t.Fatalf("the transfer never dialed:\n%s", s.Logs())
	}
	if err := ua.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	if left := ownedGoroutines(); len(left) > 0 {
		t.Fatalf("Close returned with %d goroutines of the UA still running:\n%s", len(left), strings.Join(left, "\n\n"))
	}
	if err := ua.Close(); err != nil {
		t.Logf("second close: %v", err)
	}
}

// slowClose is a media session whose Close takes a while, as a device
// being released can.
type slowClose struct{ sip.MediaSession }

func (s slowClose) Close() error {
	time.Sleep(500 * time.Millisecond)
	return s.MediaSession.Close()
}

// TestCloseWaitsForACallBeingDialed: Close while an outgoing call still
// waits for its first response: the goroutine waiting for the answer
// (waitAnswer) ends the call, releasing its audio, before Close returns.
// Not parallel, as above.
func TestCloseWaitsForACallBeingDialed(t *testing.T) {
	silent := newRawPeer(t)
	ua := newUA(t, sip.Config{}, sip.WithMediaFactory(func(laddr netip.Addr) (sip.MediaSession, error) {
		m, err := media.NewSession(laddr, media.SessionOptions{})
		return slowClose{m}, err
	}))
	c, err := ua.Dial(ctxFor(t, 5*time.Second), "sip:customer@"+silent.conn.LocalAddr().String(), sip.Audio{})
	if err != nil {
		t.Fatal(err)
	}
	silent.next("INVITE", 5*time.Second)
	if err := ua.Close(); err != nil {
		t.Logf("close: %v", err)
	}
	if left := ownedGoroutines(); len(left) > 0 {
		t.Fatalf("Close returned with %d goroutines of the UA still running:\n%s", len(left), strings.Join(left, "\n\n"))
	}
	select {
	case <-c.Done():
	default:
		t.Fatal("Close returned before the call it was dialing ended")
	}
}
