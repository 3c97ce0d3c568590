package core

import (
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/sip"
)

// network is what the phone sees of the computer's network: its address
// toward the SIP server, or none (cable out, VPN and its DNS not up).
type network struct {
	mu   sync.Mutex
	addr netip.Addr
}

func (n *network) set(addr string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.addr = netip.Addr{}
	if addr != "" {
		n.addr = netip.MustParseAddr(addr)
	}
}

func (n *network) localAddr(string) (netip.Addr, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.addr.IsValid() {
		return netip.Addr{}, errors.New("network is unreachable")
	}
	return n.addr, nil
}

func silentAudio(string, string) (sip.Audio, func() error, error) {
	return sip.Audio{Source: media.Silence()}, func() error { return nil }, nil
}

func isReg(state ui.RegState) func(ui.Event) bool {
	return func(e ui.Event) bool {
		r, ok := e.(ui.RegistrationChanged)
		return ok && r.Status.State == state
	}
}

// lineCore is a core whose phone sees net, with the agent's account on k.
func lineCore(t *testing.T, k *testenv.Kamailio, transport string, net *network) (*Core, ui.Account) {
	t.Helper()
	prof := config.Profile{SIP: config.SIPAccount{Server: k.Addr(), User: "agent", Transport: transport, Codecs: []string{"pcmu"}}}
	c := newTestCore(t, prof, nil, func(o *Options) {
		o.WatchDevices, o.NoDeviceGuard, o.OpenAudio = noWatch, true, silentAudio
		o.SIPOptions = []sip.Option{sip.WithLocalAddrFunc(net.localAddr)}
	})
	acc, _, err := c.Backend().Config.Load()
	if err != nil {
		t.Fatal(err)
	}
	acc.Password = "agentpw"
	return c, acc
}

// TestPhoneRegistersOnceTheNetworkIsUp: the agent starts the shift before
// the network (or the VPN that resolves the server) is up. The line says
// it is reconnecting, with why, and registers by itself once a route to
// the server appears: no button to press, no restart.
func TestPhoneRegistersOnceTheNetworkIsUp(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw"})
	net := &network{}
	c, acc := lineCore(t, k, "udp", net)
	events := c.Backend().Events.Events()
	err := c.Backend().Phone.Register(ctxFor(t, 5*time.Second), acc)
	var pending *ui.ReconnectingError
	if !errors.As(err, &pending) || !errors.Is(err, sip.ErrNoNetwork) {
		t.Fatalf("register without a network: %v, want a *ui.ReconnectingError for no network", err)
	}
	_, ev := waitFor(t, events, 5*time.Second, isReg(ui.RegReconnecting))
	if st := ev.(ui.RegistrationChanged).Status; st.Since.IsZero() || !strings.Contains(st.Detail, "unreachable") {
		t.Fatalf("reconnecting %+v: want since when and why", st)
	}
	net.set("127.0.0.1")
	waitFor(t, events, 15*time.Second, isReg(ui.RegRegistered))
	if addr := c.phone.SIPAddr(); !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("listening on %q, want the address the network came up with", addr)
	}
}

// TestPhoneRegistersOnceTheServerIsUp: the SIP server is down when the
// shift starts (a TCP connection is refused); the phone keeps trying on
// its own and the line comes up once the server does.
func TestPhoneRegistersOnceTheServerIsUp(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw"})
	k.Stop(t)
	net := &network{}
	net.set("127.0.0.1")
	c, acc := lineCore(t, k, "tcp", net)
	events := c.Backend().Events.Events()
	err := c.Backend().Phone.Register(ctxFor(t, 5*time.Second), acc)
	var pending *ui.ReconnectingError
	if !errors.As(err, &pending) {
		t.Fatalf("register with the server down: %v, want a *ui.ReconnectingError", err)
	}
	waitFor(t, events, 5*time.Second, isReg(ui.RegReconnecting))
	k.Start(t)
	waitFor(t, events, 15*time.Second, isReg(ui.RegRegistered))
}

// TestAddressChangeDuringCall: the computer's address changes while the
// agent is on a call (Wi-Fi to cable, a VPN coming up). The call is not
// dropped: the agent is told what happened and what to do if the customer
// no longer hears them. Once the call ends the phone moves to the new
// address by itself and the agent can be called there.
func TestAddressChangeDuringCall(t *testing.T) {
	k := testenv.StartKamailio(t, map[string]string{"agent": "agentpw", "cust": "custpw"})
	net := &network{}
	net.set("127.0.0.1")
	c, acc := lineCore(t, k, "udp", net)
	be := c.Backend()
	events := be.Events.Events()
	if err := be.Shift.ClockIn(ctxFor(t, 5*time.Second), ui.CheckReport{CanStart: true}, ""); err != nil {
		t.Fatal(err)
	}
	if err := be.Phone.Register(ctxFor(t, 5*time.Second), acc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, 5*time.Second, isReg(ui.RegRegistered))

	cust, err := sip.New(sip.Config{Registrar: k.Addr(), User: "cust", Password: "custpw", ListenAddr: "127.0.0.1:0", KeepAlive: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cust.Close() })
	answered := func() *sip.Call {
		t.Helper()
		call, err := cust.Dial(ctxFor(t, 5*time.Second), "agent", sip.Audio{Source: media.Silence()})
		if err != nil {
			t.Fatal(err)
		}
		_, ev := waitFor(t, events, 10*time.Second, func(e ui.Event) bool { _, ok := e.(ui.IncomingCall); return ok })
		if err := be.Phone.Answer(ctxFor(t, 5*time.Second), ev.(ui.IncomingCall).Call.ID); err != nil {
			t.Fatal(err)
		}
		if err := call.WaitAnswered(ctxFor(t, 10*time.Second)); err != nil {
			t.Fatal(err)
		}
		return call
	}
	call := answered()

	net.set("127.0.0.2")
	skipped, ev := waitFor(t, events, 10*time.Second, isReg(ui.RegReconnecting))
	if st := ev.(ui.RegistrationChanged).Status; !strings.Contains(st.Detail, "during the call") || !strings.Contains(st.Detail, "call them back") {
		t.Fatalf("reconnecting %+v: want the agent told what happened to the call and what to do", st)
	}
	for _, e := range skipped {
		if _, ok := e.(ui.CallClosed); ok {
			t.Fatal("the call was dropped when the address changed")
		}
	}
	if addr := c.phone.SIPAddr(); !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("the phone moved to %s during the call", addr)
	}
	if err := call.Hangup(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, events, 10*time.Second, func(e ui.Event) bool { _, ok := e.(ui.CallClosed); return ok })
	waitFor(t, events, 15*time.Second, func(e ui.Event) bool {
		return isReg(ui.RegRegistered)(e) && strings.HasPrefix(c.phone.SIPAddr(), "127.0.0.2:")
	})
	if err := be.Shift.EndWrapUp(ctxFor(t, 5*time.Second), "resolved", nil); err != nil {
		t.Fatal(err)
	}
	// Reachable on the new address.
	answered()
}
