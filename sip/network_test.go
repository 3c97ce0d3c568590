package sip_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// fakeNetwork is what the UA's network checks see: the local address
// toward the server, or no route.
type fakeNetwork struct {
	mu   sync.Mutex
	addr netip.Addr
	down bool
}

func (n *fakeNetwork) localAddr(string) (netip.Addr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.down {
		return netip.Addr{}, errors.New("network is unreachable")
	}
	return n.addr, nil
}

func (n *fakeNetwork) set(addr string, down bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.addr, n.down = netip.MustParseAddr(addr), down
}

// nextUAEvent returns the next UA event, whatever it is.
func nextUAEvent(t *testing.T, ua *sip.UA, within time.Duration) sip.Event {
	t.Helper()
	select {
	case ev := <-ua.Events():
		return ev
	case <-time.After(within):
		t.Fatalf("no UA event within %s", within)
		return nil
	}
}

// TestNetworkChangeRegistersAgainAtOnce: a new local address, the link
// going down and coming back (with its address or another one: then it is
// an address change, which the app answers with a new socket), and a
// resume from sleep each register again
// at the next network check (2 s), not at the refresh (240 s); a check
// that finds nothing new does nothing. Time is the UA's fake clock.
func TestNetworkChangeRegistersAgainAtOnce(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "apw"})
	clock := sip.NewFakeClock()
	network := &fakeNetwork{}
	network.set("127.0.0.1", false)
	const check = 2 * time.Second
	ua := newUA(t, sip.Config{Registrar: k.Addr(), User: "alice", Password: "apw", Clock: clock, KeepAlive: -1, NetworkCheck: check},
		sip.WithLocalAddrFunc(network.localAddr))
	register(t, ua)
	<-clock.WaitArmed(2) // refresh and network check

	for _, step := range []struct {
		name   string
		change func()
		want   sip.NetworkChange // 0: no event; the next step's comes first
	}{
		{"nothing changed", func() {}, 0},
		{"new address", func() { network.set("192.0.2.44", false) }, sip.AddressChanged},
		{"link down", func() { network.set("192.0.2.44", true) }, sip.LinkDown},
		{"still down", func() {}, 0},
		{"link up", func() { network.set("192.0.2.44", false) }, sip.LinkUp},
		{"resumed from sleep", func() { clock.Suspend(20 * time.Minute) }, sip.Resumed},
		{"link down again", func() { network.set("192.0.2.44", true) }, sip.LinkDown},
		// A new DHCP lease, another network: the old address is gone.
		{"back with another address", func() { network.set("192.0.2.45", false) }, sip.AddressChanged},
	} {
		step.change()
		clock.Advance(check)
		if step.want == 0 {
			continue
		}
		ev := nextUAEvent(t, ua, 10*time.Second)
		lost, ok := ev.(sip.Reconnecting)
		var change *sip.NetworkChangeError
		if !ok || !errors.As(lost.Err, &change) || change.Change != step.want || !errors.Is(lost.Err, sip.ErrNetworkChanged) {
			t.Fatalf("%s: event %#v, want Reconnecting for change %d", step.name, ev, step.want)
		}
		t.Logf("%s: %v", step.name, lost.Err)
		if back, ok := nextUAEvent(t, ua, 10*time.Second).(sip.Registered); !ok {
			t.Fatalf("%s: no registration after the change", step.name)
		} else if back.Expires < time.Minute {
			t.Fatalf("%s: registered for %s", step.name, back.Expires)
		}
	}
}

// TestWaitNetworkReturnsOnceTheServerIsReachable: the app starts before
// the network (or the VPN whose DNS knows the server): WaitNetwork checks
// every NetworkCheck on the UA's clock and returns once a route appears;
// cancelled, it says why the server was out of reach.
func TestWaitNetworkReturnsOnceTheServerIsReachable(t *testing.T) {
	t.Parallel()
	network := &fakeNetwork{}
	network.set("192.0.2.7", true)
	clock := sip.NewFakeClock()
	cfg := sip.Config{Registrar: "pbx.corp.example", User: "alice", Clock: clock, NetworkCheck: 2 * time.Second}
	done := make(chan error, 1)
	go func() {
		done <- sip.WaitNetwork(ctxFor(t, 10*time.Second), cfg, sip.WithLocalAddrFunc(network.localAddr))
	}()
	<-clock.WaitArmed(1)
	clock.Advance(2 * time.Second) // still down: it waits again
	<-clock.WaitArmed(1)
	select {
	case err := <-done:
		t.Fatalf("returned while the network is down: %v", err)
	default:
	}
	network.set("192.0.2.7", false)
	clock.Advance(2 * time.Second)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not return once the network was up")
	}

	network.set("192.0.2.7", true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := sip.WaitNetwork(ctx, cfg, sip.WithLocalAddrFunc(network.localAddr))
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "unreachable") {
		t.Fatalf("cancelled: %v, want the cancellation and the reason", err)
	}
}
