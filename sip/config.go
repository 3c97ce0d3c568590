package sip

import (
	"fmt"

	"github.com/emiago/sipgo/sip"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/homeshore/homeshore/media"
)

// Transports the user agent speaks.
const (
	TransportUDP = "udp"
	TransportTCP = "tcp"
	TransportTLS = "tls"
)

// Defaults for Config fields left zero.
const (
	DefaultExpires        = 300 * time.Second
	DefaultKeepAlive      = 30 * time.Second
	DefaultNetworkCheck   = 2 * time.Second
	DefaultRequestTimeout = 8 * time.Second
	// MinExpires and MaxExpires bound the registration lifetime a profile
	// or policy may ask for (Validate only enforces MaxExpires: tests and
	// registrars may use shorter ones).
	MinExpires      = 60 * time.Second
	MaxExpires      = 3600 * time.Second
	defaultSIPPort  = 5060
	defaultSIPSPort = 5061
)

// Config is one SIP account and how to reach it. Password comes from the
// keyring or the environment and is never logged.
type Config struct {
	// Registrar is where REGISTER goes ("host" or "host:port"); empty means
	// no registration (direct calls to and from a listen address only).
	Registrar string
	// Domain is the host[:port] part of our address of record; defaults to
	// the registrar as given.
	Domain      string
	User        string
	AuthUser    string // digest user name; defaults to User
	Password    string `json:"-"`
	DisplayName string
	Transport   string // udp (default), tcp or tls
	// OutboundProxy receives every request we send ("host:port").
	OutboundProxy string
	// CAFile adds a PEM CA bundle to the system roots for TLS.
	CAFile string
	// ListenAddr is where we accept SIP ("127.0.0.1:5070"); empty picks a
	// free port on the address that routes to the registrar or the callee.
	ListenAddr string
	// Expires is the registration lifetime we ask for; we refresh by what
	// the registrar grants (the expires of our Contact in its 200, else its
	// Expires header), and ask again with its Min-Expires after a 423.
	Expires time.Duration
	// KeepAlive is how often, while registered, we check that the
	// registrar still has our binding and can reach us: an OPTIONS to our
	// own address of record through it, plus an RFC 5626 CRLF ping on
	// TCP/TLS. Negative disables both.
	KeepAlive time.Duration
	// NetworkCheck is how often we look for a changed local address, a
	// dropped TCP/TLS connection or a resume from sleep, each of which
	// re-registers at once. Negative disables it.
	NetworkCheck time.Duration
	// Clock drives the UA's timers; nil is SystemClock (tests pass a fake).
	Clock Clock `json:"-"`
	// RequestTimeout bounds non-INVITE requests (REGISTER, OPTIONS, BYE).
	RequestTimeout time.Duration
	// Codecs in our order of preference; empty means media.DefaultCodecs().
	Codecs []media.Codec
	// SRTP says whether media is encrypted (SDES); empty means off.
	SRTP SRTPMode
	// MaxCalls refuses new incoming calls with 486 Busy Here while this
	// many are up or ringing; zero means no limit. An agent takes one call.
	MaxCalls int
	// RTPPortMin and RTPPortMax bound RTP ports; zero means any.
	RTPPortMin, RTPPortMax int
	UserAgent              string
}

func (c Config) withDefaults() Config {
	if c.Transport == "" {
		c.Transport = TransportUDP
	}
	c.Transport = strings.ToLower(c.Transport)
	if c.AuthUser == "" {
		c.AuthUser = c.User
	}
	if c.Domain == "" && c.Registrar != "" {
		// As typed, port included: "127.0.0.1:5080" stays an address of
		// record the registrar recognises as its own.
		c.Domain = strings.TrimPrefix(strings.TrimPrefix(c.Registrar, "sips:"), "sip:")
	}
	if c.Expires == 0 {
		c.Expires = DefaultExpires
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	if c.NetworkCheck == 0 {
		c.NetworkCheck = DefaultNetworkCheck
	}
	if c.Clock == nil {
		c.Clock = SystemClock()
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if len(c.Codecs) == 0 {
		c.Codecs = media.DefaultCodecs()
	}
	c.SRTP, _ = ParseSRTPMode(string(c.SRTP)) // Validate reports a bad one
	if c.UserAgent == "" {
		c.UserAgent = "Homeshore"
	}
	if c.User == "" {
		c.User = "homeshore"
	}
	return c
}

// Validate says, in one sentence, what is wrong with the account.
func (c Config) Validate() error {
	switch strings.ToLower(c.Transport) {
	case "", TransportUDP, TransportTCP, TransportTLS:
	default:
		return fmt.Errorf("transport %q is not supported: use udp, tcp or tls", c.Transport)
	}
	if c.Registrar != "" {
		if _, _, err := splitHostPort(c.Registrar, 0); err != nil {
			return fmt.Errorf("registrar %q: %w", c.Registrar, err)
		}
		if c.User == "" {
			return fmt.Errorf("a registrar is set but no user: give the SIP user name")
		}
	}
	if c.OutboundProxy != "" {
		if _, _, err := splitHostPort(c.OutboundProxy, 0); err != nil {
			return fmt.Errorf("outbound proxy %q: %w", c.OutboundProxy, err)
		}
	}
	if c.ListenAddr != "" {
		if _, _, err := splitListen(c.ListenAddr); err != nil {
			return fmt.Errorf("listen address %q: %w", c.ListenAddr, err)
		}
	}
	if _, err := ParseSRTPMode(string(c.SRTP)); err != nil {
		return err
	}
	if c.Expires < 0 || c.Expires > MaxExpires {
		return fmt.Errorf("registration expiry %s: use at most %d seconds", c.Expires, int(MaxExpires.Seconds()))
	}
	return nil
}

// defaultPort is the well-known port of the transport.
func defaultPort(transport string) int {
	if transport == TransportTLS {
		return defaultSIPSPort
	}
	return defaultSIPPort
}

// splitHostPort accepts "host", "host:port", "[v6]:port", "sip:host:port".
func splitHostPort(s string, def int) (string, int, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "sips:"), "sip:")
	if s == "" {
		return "", 0, fmt.Errorf("empty address")
	}
	host, portText, err := net.SplitHostPort(s)
	if err != nil {
		// No port: a bare host or a bare IPv6 address.
		return strings.Trim(s, "[]"), def, nil
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 1 to 65535", portText)
	}
	return host, port, nil
}

// domainURI is user@domain as a URI, the domain's port kept.
func (c Config) domainURI(scheme, user string) sip.Uri {
	host, port, err := splitHostPort(c.Domain, 0)
	if err != nil {
		host = c.Domain
	}
	return sip.Uri{Scheme: scheme, User: user, Host: host, Port: port}
}

// splitListen is splitHostPort where port 0 means "any free port".
func splitListen(s string) (string, int, error) {
	host, portText, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, fmt.Errorf("use IP:PORT, e.g. 127.0.0.1:5070: %w", err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("port %q is not a number from 0 to 65535", portText)
	}
	return host, port, nil
}
