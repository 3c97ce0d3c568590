package impair

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// The test binary doubles as a UDP echo server and client run inside the
// namespaces (IMPAIR_HELPER=echo:ADDR or ping:ADDR).
func TestMain(m *testing.M) {
	if h := os.Getenv("IMPAIR_HELPER"); h != "" {
		os.Exit(helper(h))
	}
	os.Exit(m.Run())
}

func helper(spec string) int {
	mode, a, _ := strings.Cut(spec, ":")
	ap, err := netip.ParseAddrPort(a)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	switch mode {
	case "echo":
		c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(ap))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Println("ready")
		buf := make([]byte, 2048)
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return 0
			}
			c.WriteToUDPAddrPort(buf[:n], from)
		}
	case "ping":
		c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(ap))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		got, buf := 0, make([]byte, 64)
		var minRTT time.Duration
		for i := range 40 {
			start := time.Now()
			c.Write([]byte(strconv.Itoa(i)))
			c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			if _, err := c.Read(buf); err == nil {
				got++
				if rtt := time.Since(start); minRTT == 0 || rtt < minRTT {
					minRTT = rtt
				}
			}
		}
		fmt.Println(got, minRTT.Milliseconds())
		return 0
	}
	return 2
}

// Two namespaces joined through the impairer: UDP from A reaches B's
// address and comes back, delayed both ways, and the loss counts match.
func TestNamespacesRelayUDP(t *testing.T) {
	testenv.Require(t, os.Geteuid() == 0, "root (network namespaces and TUN devices)")
	testenv.RequireBinary(t, "ip")
	cfg := Config{Seed: 11, Delay: 10 * time.Millisecond, Loss: 0.25}
	ns, err := NewNamespaces(fmt.Sprintf("hsimp%d", os.Getpid()), cfg, Config{Delay: 10 * time.Millisecond}, MediaOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := ns.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target := netip.AddrPortFrom(ns.Addrs[1], 9000).String()
	echo := ns.Command(ctx, 1, os.Args[0])
	echo.Env = append(os.Environ(), "IMPAIR_HELPER=echo:"+target)
	out, err := echo.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := echo.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { echo.Process.Kill(); echo.Wait() }()
	ready := make([]byte, 6)
	if _, err := out.Read(ready); err != nil {
		t.Fatalf("echo server: %v", err)
	}
	ping := ns.Command(ctx, 0, os.Args[0])
	ping.Env = append(os.Environ(), "IMPAIR_HELPER=ping:"+target)
	res, err := ping.Output()
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	var got, rtt int
	if _, err := fmt.Sscan(string(res), &got, &rtt); err != nil {
		t.Fatalf("ping printed %q", res)
	}
	ab, ba := ns.Stats()
	if ab.Packets != 40 || got != int(40-ab.Dropped) || ba.Packets != uint64(got) {
		t.Fatalf("a->b %d packets (%d dropped), b->a %d; %d echoes came back", ab.Packets, ab.Dropped, ba.Packets, got)
	}
	if rtt < 20 {
		t.Fatalf("round trip %d ms through 10 ms each way", rtt)
	}
}
