package server

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// clientAddr is the address a request came from, for the login limits.
// Behind a load balancer or reverse proxy every request comes from the
// proxy: one attacker's failed logins would then lock out every agent at
// once. With Config.TrustedProxies set, X-Forwarded-For is read from the
// right, skipping trusted proxies, and the first other address is the
// client's (the leftmost entries are whatever the client wrote).
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(addr) {
		return host
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return addr.String() // garbage: stop at the last address we trust
			}
			hop = hop.Unmap()
			if !s.trusted(hop) {
				return hop.String()
			}
			addr = hop
		}
	}
	return addr.String()
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
