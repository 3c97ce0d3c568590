package precheck

import (
	"context"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
)

func TestEModel(t *testing.T) {
	// Expected values worked by hand from the formula in docs/precheck.md.
	cases := []struct{ owd, jit, loss, r, mos float64 }{
		{20, 2, 0, 92.4, 4.39},   // good wired link: eff 34 ms
		{150, 30, 1, 80.7, 4.05}, // eff 220 ms, 1 % loss
		{300, 50, 5, 51.7, 2.66}, // satellite-like: eff 410 ms, 5 % loss
	}
	for _, c := range cases {
		r, mos := EModel(c.owd, c.jit, c.loss)
		if math.Abs(r-c.r) > 0.05 || math.Abs(mos-c.mos) > 0.01 {
			t.Errorf("EModel(%v, %v, %v) = %v, %v; want %v, %v", c.owd, c.jit, c.loss, r, mos, c.r, c.mos)
		}
	}
}

func TestNetworkOptionsAgainstKamailio(t *testing.T) {
	t.Parallel()
	addr := startKamailio(t)
	pol := config.DefaultPolicy().Checks.Network
	c := checkNetwork(context.Background(), addr, "udp", pol)
	f := c.Figures.(*NetworkFigures)
	if c.Verdict != Pass || f.Replies != pol.Probes || f.LossPercent != 0 || f.Status != 200 || f.Link != LinkLoopback || f.MOS < 4.3 {
		t.Fatalf("network vs kamailio: %s %+v %+v", c.Verdict, c.Findings, f)
	}
}

// A server that never answers: every probe is lost, the verdict is a clear
// failure, and the check is bounded by probes·interval + timeout.
func TestNetworkSilentServerFailsInBoundedTime(t *testing.T) {
	t.Parallel()
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	pol := config.DefaultPolicy().Checks.Network
	pol.Probes, pol.IntervalMS, pol.TimeoutMS = 5, 20, 300
	start := time.Now()
	c := checkNetwork(context.Background(), silent.LocalAddr().String(), "udp", pol)
	elapsed := time.Since(start)
	f := c.Figures.(*NetworkFigures)
	if c.Verdict != Fail || f.Replies != 0 || c.Findings[0].Code != "unreachable" {
		t.Fatalf("silent server: %s %+v", c.Verdict, c.Findings)
	}
	// Bound, not a speed goal: 5·20 ms + 300 ms plus generous slack.
	if elapsed > 3*time.Second {
		t.Fatalf("silent server took %v", elapsed)
	}
}

func TestNetworkClosedPortFails(t *testing.T) {
	t.Parallel()
	port := freeUDPPort(t) // nothing listens: ICMP port unreachable
	pol := config.DefaultPolicy().Checks.Network
	pol.Probes, pol.IntervalMS, pol.TimeoutMS = 3, 10, 300
	c := checkNetwork(context.Background(), net.JoinHostPort("127.0.0.1", itoa(port)), "udp", pol)
	if c.Verdict != Fail {
		t.Fatalf("closed port: %s %+v", c.Verdict, c.Findings)
	}
}

func TestNetworkBadServerNames(t *testing.T) {
	pol := config.DefaultPolicy().Checks.Network
	if c := checkNetwork(context.Background(), "", "udp", pol); c.Verdict != Error {
		t.Fatalf("empty server: %+v", c)
	}
	if c := checkNetwork(context.Background(), "sip.invalid:5060", "udp", pol); c.Verdict != Fail || c.Findings[0].Code != "dns" {
		t.Fatalf(".invalid: %+v", c)
	}
}

// A TLS server whose certificate the system does not trust fails the check.
func TestTLSCertificateCheck(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "https://")
	info := checkTLS(context.Background(), "127.0.0.1", addr, time.Second)
	if info.Verified || !strings.Contains(info.Error, "certificate") {
		t.Fatalf("untrusted cert: %+v", info)
	}
	// The same server's own pool would trust it: the figures carry its expiry.
	if srv.Certificate().NotAfter.IsZero() {
		t.Fatal("no certificate")
	}
}
