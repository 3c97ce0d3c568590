package impair

import (
	"encoding/binary"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

func udp(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func addr(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }

// A relay on 127.0.0.1 between two UDP endpoints: what arrives is what the
// impairer let through, in order when reordering is off, never earlier
// than the delay; replies find their way back to the learned sender.
func TestUDPLinkRelaysWithLossAndDelay(t *testing.T) {
	a, b := udp(t), udp(t)
	ra, rb := udp(t), udp(t)
	const delay = 15 * time.Millisecond
	l := NewLink(NewUDPPort(ra, netip.AddrPort{}), NewUDPPort(rb, addr(b)),
		Config{Seed: 5, Loss: 0.2, Delay: delay, Jitter: 5 * time.Millisecond}, Config{}, nil)
	defer l.Close()
	const n = 300
	ra.SetReadBuffer(1 << 22)
	b.SetReadBuffer(1 << 22)
	sent := make([]atomic.Int64, n)
	go func() {
		var p [8]byte
		for i := range n {
			binary.BigEndian.PutUint32(p[:], uint32(i))
			sent[i].Store(time.Now().UnixNano())
			a.WriteToUDPAddrPort(p[:], addr(ra))
		}
	}()
	buf := make([]byte, 64)
	got, last := 0, -1
	b.SetReadDeadline(time.Now().Add(3 * time.Second))
	for {
		k, from, err := b.ReadFromUDPAddrPort(buf)
		if err != nil {
			break
		}
		i := int(binary.BigEndian.Uint32(buf[:k]))
		if i <= last {
			t.Fatalf("packet %d after %d: reordered", i, last)
		}
		if e := time.Since(time.Unix(0, sent[i].Load())); e < delay-5*time.Millisecond {
			t.Fatalf("packet %d took %v, less than the delay", i, e)
		}
		last = i
		got++
		if got == 1 {
			// Reply: it must reach a through the relay.
			b.WriteToUDPAddrPort([]byte("pong"), from)
		}
		b.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	}
	ab, ba := l.Stats()
	if ab.Packets != n || uint64(got) != n-ab.Dropped {
		t.Fatalf("relay saw %d packets, dropped %d; %d arrived", ab.Packets, ab.Dropped, got)
	}
	if ab.Dropped < n/10 || ab.Dropped > n*3/10 {
		t.Fatalf("dropped %d of %d at 20 %%", ab.Dropped, n)
	}
	a.SetReadDeadline(time.Now().Add(3 * time.Second))
	k, err := a.Read(buf)
	if err != nil || string(buf[:k]) != "pong" || ba.Packets != 1 {
		t.Fatalf("reply: %q %v (relayed %d)", buf[:k], err, ba.Packets)
	}
}

func TestMediaOnlyFilter(t *testing.T) {
	pkt := func(proto byte, src, dst uint16) []byte {
		p := make([]byte, 28)
		p[0] = 0x45
		p[9] = proto
		binary.BigEndian.PutUint16(p[20:], src)
		binary.BigEndian.PutUint16(p[22:], dst)
		return p
	}
	f := MediaOnly(5060)
	for _, c := range []struct {
		p    []byte
		want bool
	}{
		{pkt(17, 40000, 40002), true},
		{pkt(17, 5060, 40002), false},
		{pkt(17, 40000, 5060), false},
		{pkt(6, 40000, 40002), false},
		{[]byte{0x60, 0, 0}, false},
	} {
		if got := f(c.p); got != c.want {
			t.Fatalf("%v: %t", c.p[:12], got)
		}
	}
}
