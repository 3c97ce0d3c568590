package precheck

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/app/config"
)

// Link types of the interface that reaches the SIP server.
const (
	LinkWired    = "wired"
	LinkWiFi     = "wifi"
	LinkLoopback = "loopback"
	LinkUnknown  = "unknown"
)

// NetworkFigures are the network check's measurements.
type NetworkFigures struct {
	Server      string   `json:"server"`
	Transport   string   `json:"transport"`
	Resolved    []string `json:"resolved,omitempty"`
	DNSMS       float64  `json:"dns_ms"`
	Interface   string   `json:"interface,omitempty"`
	Link        string   `json:"link"`
	Probes      int      `json:"probes"`
	Replies     int      `json:"replies"`
	LossPercent float64  `json:"loss_percent"`
	RTTMinMS    float64  `json:"rtt_min_ms"`
	RTTAvgMS    float64  `json:"rtt_avg_ms"`
	RTTMaxMS    float64  `json:"rtt_max_ms"`
	JitterMS    float64  `json:"jitter_ms"` // mean |RTT difference| of consecutive replies
	Status      int      `json:"last_status,omitempty"`
	RFactor     float64  `json:"r_factor"`
	MOS         float64  `json:"mos"`
	TLS         *TLSInfo `json:"tls,omitempty"`
}

// TLSInfo is the SIP server certificate check.
type TLSInfo struct {
	Verified bool      `json:"verified"`
	Subject  string    `json:"subject,omitempty"`
	NotAfter time.Time `json:"not_after,omitempty"`
	DaysLeft int       `json:"days_left"`
	Error    string    `json:"error,omitempty"`
}

// EModel is the simplified ITU-T G.107 E-model (docs/precheck.md): R and
// MOS from one-way latency, jitter and loss.
func EModel(oneWayMS, jitterMS, lossPercent float64) (r, mos float64) {
	eff := oneWayMS + 2*jitterMS + 10
	if eff < 160 {
		r = 93.2 - eff/40
	} else {
		r = 93.2 - (eff-120)/10
	}
	r -= 2.5 * lossPercent
	r = math.Max(0, math.Min(100, r))
	mos = 1 + 0.035*r + 7e-6*r*(r-60)*(100-r)
	return round1(r), math.Round(mos*100) / 100
}

// splitServer turns "sip:host:port", "host:port" or "host" into host, port.
func splitServer(server, transport string) (string, int, error) {
	s := strings.TrimPrefix(strings.TrimPrefix(server, "sips:"), "sip:")
	if i := strings.IndexAny(s, ";?"); i >= 0 {
		s = s[:i]
	}
	port := 5060
	if transport == "tls" {
		port = 5061
	}
	host := s
	if h, p, err := net.SplitHostPort(s); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, fmt.Errorf("bad port in SIP server %q", server)
		}
		host, port = h, n
	}
	if host == "" {
		return "", 0, ErrNoSIPServer
	}
	return host, port, nil
}

// checkNetwork resolves the server, finds the link type, sends OPTIONS
// probes (spaced by interval, each bounded by timeout, so the whole check
// takes at most probes·interval + timeout), checks TLS and rates the path.
func checkNetwork(ctx context.Context, server, transport string, pol config.NetworkPolicy) CheckResult {
	c := CheckResult{Name: config.CheckNetwork, Verdict: Pass}
	if transport == "" {
		transport = "udp"
	}
	host, port, err := splitServer(server, transport)
	if err != nil {
		c.add(Error, "no_server", err.Error())
		return c
	}
	f := &NetworkFigures{Server: net.JoinHostPort(host, strconv.Itoa(port)), Transport: transport, Probes: pol.Probes, Link: LinkUnknown}
	c.Figures = f
	t0 := time.Now()
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	addrs, err := net.DefaultResolver.LookupHost(dctx, host)
	cancel()
	f.DNSMS = msSince(t0)
	if err != nil {
		c.add(Fail, "dns", host)
		return c
	}
	f.Resolved = addrs
	target := net.JoinHostPort(addrs[0], strconv.Itoa(port))
	if iface, link, err := routeLink(addrs[0], port); err == nil {
		f.Interface, f.Link = iface, link
	}
	if f.Link == LinkWiFi {
		if v := Verdict(pol.WiFi); v != Pass {
			c.add(v, "wifi", f.Interface)
		}
	}
	if transport == "tls" {
		f.TLS = checkTLS(ctx, host, target, time.Duration(pol.TimeoutMS)*time.Millisecond)
		switch {
		case !f.TLS.Verified && pol.VerifyTLS:
			c.add(Fail, "tls_invalid", f.TLS.Error)
		case !f.TLS.Verified:
			c.add(Warn, "tls_unverified", f.TLS.Error)
		case f.TLS.DaysLeft < pol.MinCertDaysLeft:
			c.add(Warn, "tls_expiring", f.TLS.DaysLeft)
		}
	}
	rtts, status, err := probeOptions(ctx, host, port, transport, pol)
	if err != nil {
		c.add(Error, "probe", err.Error())
		return c
	}
	f.Status = status
	rateProbes(&c, f, rtts, pol)
	return c
}

func rateProbes(c *CheckResult, f *NetworkFigures, rtts []float64, pol config.NetworkPolicy) {
	var ok []float64
	for _, r := range rtts {
		if r >= 0 {
			ok = append(ok, r)
		}
	}
	f.Replies = len(ok)
	f.LossPercent = round1(100 * float64(len(rtts)-len(ok)) / float64(max(1, len(rtts))))
	if len(ok) == 0 {
		c.add(Fail, "unreachable", f.Server, len(rtts), len(rtts))
		return
	}
	var sum, jit float64
	for i, r := range ok {
		sum += r
		if i > 0 {
			jit += math.Abs(r - ok[i-1])
		}
	}
	sorted := append([]float64(nil), ok...)
	sort.Float64s(sorted)
	f.RTTMinMS, f.RTTMaxMS, f.RTTAvgMS = round1(sorted[0]), round1(sorted[len(sorted)-1]), round1(sum/float64(len(ok)))
	if len(ok) > 1 {
		f.JitterMS = round1(jit / float64(len(ok)-1))
	}
	f.RFactor, f.MOS = EModel(f.RTTAvgMS/2, f.JitterMS, f.LossPercent)
	if f.LossPercent > pol.MaxLossPercent {
		c.add(Fail, "loss", f.LossPercent, pol.MaxLossPercent)
	}
	if f.RTTAvgMS > pol.MaxRTTMS {
		c.add(Fail, "latency", f.RTTAvgMS, pol.MaxRTTMS)
	}
	if f.JitterMS > pol.MaxJitterMS {
		c.add(Warn, "jitter", f.JitterMS)
	}
	switch {
	case f.MOS < pol.MinMOS:
		c.add(Fail, "mos", f.MOS, pol.MinMOS)
	case f.MOS < pol.WarnMOS:
		c.add(Warn, "mos_fair", f.MOS)
	}
	if len(c.Findings) == 0 {
		c.add(Pass, "network_ok", f.RTTAvgMS, f.MOS, term("link."+f.Link))
	}
}

// probeOptions sends pol.Probes OPTIONS requests with sipgo, one every
// interval, each bounded by timeout. rtts[i] is -1 for a lost probe.
func probeOptions(ctx context.Context, host string, port int, transport string, pol config.NetworkPolicy) ([]float64, int, error) {
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("homeshore-check"))
	if err != nil {
		return nil, 0, fmt.Errorf("SIP stack: %w", err)
	}
	defer ua.Close()
	client, err := sipgo.NewClient(ua)
	if err != nil {
		return nil, 0, fmt.Errorf("SIP client: %w", err)
	}
	defer client.Close()
	var uri sip.Uri
	if err := sip.ParseUri(fmt.Sprintf("sip:%s;transport=%s", net.JoinHostPort(host, strconv.Itoa(port)), transport), &uri); err != nil {
		return nil, 0, fmt.Errorf("SIP server address: %w", err)
	}
	rtts := make([]float64, pol.Probes)
	var mu sync.Mutex
	status := 0
	timeout := time.Duration(pol.TimeoutMS) * time.Millisecond
	interval := time.Duration(pol.IntervalMS) * time.Millisecond
	var wg sync.WaitGroup
	tick := time.NewTicker(max(interval, time.Millisecond))
	defer tick.Stop()
	for i := range rtts {
		if i > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				wg.Wait()
				return nil, 0, ctx.Err()
			}
		}
		wg.Go(func() {
			rtts[i] = -1
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			req := sip.NewRequest(sip.OPTIONS, uri)
			t0 := time.Now()
			res, err := client.Do(pctx, req)
			if err != nil || res == nil {
				return
			}
			rtts[i] = msSince(t0)
			mu.Lock()
			status = res.StatusCode
			mu.Unlock()
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	return rtts, status, nil
}

func checkTLS(ctx context.Context, host, target string, timeout time.Duration) *TLSInfo {
	info := &TLSInfo{}
	d := tls.Dialer{NetDialer: &net.Dialer{Timeout: timeout}, Config: &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}}
	conn, err := d.DialContext(ctx, "tcp", target)
	if err != nil {
		var cv *tls.CertificateVerificationError
		if errors.As(err, &cv) {
			info.Error = cv.Err.Error()
		} else {
			info.Error = err.Error()
		}
		return info
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	info.Verified = true
	if len(certs) > 0 {
		info.Subject = certs[0].Subject.String()
		info.NotAfter = certs[0].NotAfter
		info.DaysLeft = int(time.Until(certs[0].NotAfter).Hours() / 24)
	}
	return info
}

// routeLink finds the local interface the OS routes toward ip (a UDP
// "connect" sends nothing) and tells wired from Wi-Fi.
func routeLink(ip string, port int) (string, string, error) {
	var local net.IP
	if conn, err := net.Dial("udp", net.JoinHostPort(ip, strconv.Itoa(port))); err == nil {
		local = conn.LocalAddr().(*net.UDPAddr).IP
		conn.Close()
	} else {
		// No UDP socket (Wine 8 refuses the SIO_UDP_CONNRESET ioctl Go
		// sets on every one): a TCP connection to the server tells the
		// route as well, when the server takes TCP.
		conn, terr := net.DialTimeout("tcp", net.JoinHostPort(ip, strconv.Itoa(port)), 2*time.Second)
		if terr != nil {
			return "", LinkUnknown, errors.Join(err, terr)
		}
		local = conn.LocalAddr().(*net.TCPAddr).IP
		conn.Close()
	}
	ifs, err := net.Interfaces()
	if err != nil {
		return "", LinkUnknown, err
	}
	for _, ifc := range ifs {
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(local) {
				if ifc.Flags&net.FlagLoopback != 0 {
					return ifc.Name, LinkLoopback, nil
				}
				return ifc.Name, linkType(ifc.Name), nil
			}
		}
	}
	return "", LinkUnknown, nil
}

func msSince(t time.Time) float64 { return round1(float64(time.Since(t).Microseconds()) / 1000) }
