package sip

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/media"
)

// MediaSession is what a call needs from the audio path; *media.Session
// implements it.
type MediaSession interface {
	LocalAddr() netip.AddrPort
	Start(p media.SessionParams, src media.Source, sink media.Sink) error
	Update(p media.SessionParams) error
	SetMute(on bool)
	// SetSource and SetSink swap the audio mid-call (nil: silence, discard)
	// and return once the old one is released.
	SetSource(src media.Source) error
	SetSink(sink media.Sink) error
	SendDTMF(digits string) error
	DTMF() <-chan rune
	SourceDone() <-chan struct{}
	Stats() media.Stats
	Close() error
}

// MediaFactory opens an RTP session bound to laddr.
type MediaFactory func(laddr netip.Addr) (MediaSession, error)

// Audio is what a call sends and where what it receives goes.
type Audio struct {
	Source media.Source
	Sink   media.Sink
}

// UA is one SIP user agent: one account, its listener, its calls.
type UA struct {
	cfg      Config
	log      *slog.Logger
	clock    Clock
	newMedia MediaFactory
	// addrToward is LocalAddrToward unless a test simulates the network.
	addrToward func(host string) (netip.Addr, error)

	sipUA   *sipgo.UserAgent
	server  *sipgo.Server
	client  *sipgo.Client
	dialog  *sipgo.DialogUA
	contact sip.ContactHeader
	localIP netip.Addr
	sipAddr netip.AddrPort
	// listener is ours to close: sipgo does not close sockets it was handed.
	listener io.Closer

	events chan Event

	// accepted is the table of methods we answer (capabilities.go).
	accepted []method
	// parser is sipgo's with whitespace-tolerant headers (wsnorm.go).
	parser *sip.Parser

	mu    sync.Mutex
	calls map[string]*Call
	reg   *registration
	pub   *publication // our presence (publish.go)
	flow  flow
	// invites are the INVITEs being handled, to spot merged requests.
	invites map[string]string
	// dialed are the Call-IDs of INVITEs we sent, live or lately ended
	// (stray.go).
	dialed map[string]time.Time

	ctx    context.Context
	cancel context.CancelFunc
	// group owns every goroutine the UA starts or runs handlers on; serve
	// is the listener's, which ends only once the socket is closed.
	group     group
	serve     sync.WaitGroup
	closeOnce sync.Once
	closeErr  error // what the first Close returned, for later ones
}

// Option changes how New builds a UA.
type Option func(*UA)

// WithLogger sends the UA's logs to l.
func WithLogger(l *slog.Logger) Option { return func(u *UA) { u.log = l } }

// WithMediaFactory replaces how calls open RTP sessions (tests).
func WithMediaFactory(f MediaFactory) Option { return func(u *UA) { u.newMedia = f } }

// WithLocalAddrFunc replaces how the UA finds its local address toward
// the server (LocalAddrToward): where New binds when no ListenAddr is
// given, what the network checks and WaitNetwork see. Tests simulate a
// changing network with it.
func WithLocalAddrFunc(f func(host string) (netip.Addr, error)) Option {
	return func(u *UA) { u.addrToward = f }
}

// New builds a user agent and starts listening. Close stops it.
func New(cfg Config, opts ...Option) (*UA, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	u := &UA{cfg: cfg, log: slog.Default(), clock: cfg.Clock, addrToward: LocalAddrToward, parser: newParser(),
		calls: map[string]*Call{}, events: make(chan Event, 64)}
	for _, o := range opts {
		o(u)
	}
	if u.newMedia == nil {
		u.newMedia = func(laddr netip.Addr) (MediaSession, error) {
			return media.NewSession(laddr, media.SessionOptions{Logger: u.log, PortMin: cfg.RTPPortMin, PortMax: cfg.RTPPortMax})
		}
	}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	if err := u.listen(); err != nil {
		u.cancel()
		return nil, err
	}
	return u, nil
}

// listen opens our SIP socket and wires sipgo's server and client to it.
func (u *UA) listen() error {
	listenAddr := u.cfg.ListenAddr
	if listenAddr == "" {
		hint := u.cfg.OutboundProxy
		if hint == "" {
			hint = u.cfg.Registrar
		}
		ip, err := u.addrToward(hint)
		if err != nil {
			if !errors.Is(err, ErrNoNetwork) {
				err = fmt.Errorf("%w: %w", ErrNoNetwork, err)
			}
			return err
		}
		listenAddr = net.JoinHostPort(ip.String(), "0")
	}
	uaOpts := []sipgo.UserAgentOption{
		sipgo.WithUserAgent(u.cfg.UserAgent),
		sipgo.WithUserAgentParser(u.parser),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerReadFilter(u.readFilter)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerUnhandledResponseHandler(u.onStrayResponse)),
	}
	if u.cfg.Transport == TransportTLS {
		tlsConf, err := tlsConfig(u.cfg.CAFile)
		if err != nil {
			return err
		}
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(tlsConf))
	}
	sipUA, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		return fmt.Errorf("starting SIP user agent: %w", err)
	}
	u.sipUA = sipUA
	if u.server, err = sipgo.NewServer(sipUA, sipgo.WithServerLogger(u.log)); err != nil {
		return errors.Join(fmt.Errorf("starting SIP server: %w", err), sipUA.Close())
	}
	// Bind first, serve last: handlers read the contact and client set below.
	bound, serve, err := u.bind(listenAddr)
	if err != nil {
		return errors.Join(err, sipUA.Close())
	}
	u.sipAddr = bound
	u.localIP = bound.Addr()
	// rport (RFC 3581) lets servers answer to where we really sent from, behind NAT.
	clientOpts := []sipgo.ClientOption{sipgo.WithClientLogger(u.log), sipgo.WithClientHostname(u.localIP.String()), sipgo.WithClientNAT()}
	if u.cfg.Transport == TransportUDP {
		// Send from the listening socket so responses and rport come back to it.
		clientOpts = append(clientOpts, sipgo.WithClientConnectionAddr(bound.String()))
	}
	if u.client, err = sipgo.NewClient(sipUA, clientOpts...); err != nil {
		return errors.Join(fmt.Errorf("starting SIP client: %w", err), sipUA.Close(), u.listener.Close())
	}
	u.contact = sip.ContactHeader{Address: sip.Uri{
		Scheme: "sip", User: u.cfg.User, Host: u.localIP.String(), Port: int(bound.Port()),
		UriParams: sip.NewParams(),
	}}
	if u.cfg.Transport == TransportTLS {
		u.contact.Address.Scheme = "sips"
	}
	if u.cfg.Transport != TransportUDP {
		u.contact.Address.UriParams.Add("transport", u.cfg.Transport)
	}
	u.dialog = &sipgo.DialogUA{Client: u.client, ContactHDR: u.contact}
	u.routes()
	u.poolListener(bound)
	u.serve.Add(1)
	go func() {
		defer u.serve.Done()
		if err := serve(); err != nil && u.ctx.Err() == nil {
			u.log.Debug("SIP listener stopped", "error", err)
		}
	}()
	return nil
}

// bind opens the listener for our transport and returns the function that
// serves it.
func (u *UA) bind(addr string) (netip.AddrPort, func() error, error) {
	switch u.cfg.Transport {
	case TransportUDP:
		conn, err := net.ListenPacket("udp", addr)
		if err != nil {
			return netip.AddrPort{}, nil, fmt.Errorf("cannot listen for SIP on udp:%s: %w", addr, err)
		}
		u.listener = conn
		return netip.MustParseAddrPort(conn.LocalAddr().String()), func() error { return u.server.ServeUDP(conn) }, nil
	default:
		// TLS peers come back over the connection we open (see bindStreamContact).
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return netip.AddrPort{}, nil, fmt.Errorf("cannot listen for SIP on tcp:%s: %w", addr, err)
		}
		u.listener = ln
		return netip.MustParseAddrPort(ln.Addr().String()), func() error { return u.server.ServeTCP(ln) }, nil
	}
}

// poolListener hands our UDP socket to sipgo's connection pool at once, so
// requests sent before the serve goroutine pools it (it does the same)
// leave from it instead of binding the port a second time.
func (u *UA) poolListener(addr netip.AddrPort) {
	pc, ok := u.listener.(net.PacketConn)
	if !ok {
		return // stream listeners are not pooled
	}
	u.server.TransportLayer().Pool(TransportUDP).Add(addr.String(), &sip.UDPConnection{PacketConn: pc, PacketAddr: addr.String(), Listener: true})
}

func tlsConfig(caFile string) (*tls.Config, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("reading CA file: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", caFile)
		}
	}
	return &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, nil
}

// LocalAddrToward returns the local IP the OS would use to reach host
// ("host", "host:port" or empty for the default route). No packet is sent.
func LocalAddrToward(host string) (netip.Addr, error) {
	if host == "" {
		host = "192.0.2.1" // TEST-NET-1: only selects the default-route interface
	}
	h, port, err := splitHostPort(host, defaultSIPPort)
	if err != nil {
		return netip.Addr{}, err
	}
	ips, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", h)
	if err != nil || len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("%w: cannot resolve %q: check the server name, your connection and the VPN: %w", ErrNoNetwork, h, err)
	}
	conn, err := net.Dial("udp", net.JoinHostPort(ips[0].Unmap().String(), strconv.Itoa(port)))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: no route to %s: check your connection: %w", ErrNoNetwork, h, err)
	}
	defer conn.Close()
	return netip.MustParseAddrPort(conn.LocalAddr().String()).Addr().Unmap(), nil
}

// localAddrToward is our local address toward host, as the network checks see it.
func (u *UA) localAddrToward(host string) (netip.Addr, error) { return u.addrToward(host) }

// scheme is sips over TLS, else sip.
func (u *UA) scheme() string {
	if u.cfg.Transport == TransportTLS {
		return "sips"
	}
	return "sip"
}

// ourContact is a copy of our current Contact (over TLS its port follows
// the connection to the registrar).
func (u *UA) ourContact() *sip.ContactHeader {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.contact.Clone()
}

// dialogUA is the sipgo dialog factory for new calls.
func (u *UA) dialogUA() *sipgo.DialogUA {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.dialog
}

// SIPAddr is where this UA accepts SIP.
func (u *UA) SIPAddr() netip.AddrPort { return u.sipAddr }

// Transport is the SIP transport in use.
func (u *UA) Transport() string { return u.cfg.Transport }

// Events delivers registration changes and incoming calls.
func (u *UA) Events() <-chan Event { return u.events }

func (u *UA) emit(e Event) {
	select {
	case u.events <- e:
	default:
		u.log.Warn("event dropped: nobody reads UA events", "event", fmt.Sprintf("%T", e))
	}
}

// Close hangs up every call, unregisters and stops listening, then waits
// for every goroutine of the UA (ringing calls, transfers, dials in
// progress, the registration loop) to return. It is idempotent.
func (u *UA) Close() error {
	u.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), u.cfg.RequestTimeout)
		defer cancel()
		for _, c := range u.liveCalls() {
			if c.ringingIn() {
				continue // answered 503 below, without waiting for its ACK
			}
			u.closeErr = errors.Join(u.closeErr, ignoreEnded(c.Hangup(ctx)))
		}
		u.closeErr = errors.Join(u.closeErr, u.Unpublish(ctx), u.stopRegistration(ctx))
		// From here nothing new starts: handlers answer 503, Dial fails,
		// and what runs sees u.ctx done.
		u.group.close()
		u.cancel()
		// Closing sipgo ends its transactions, so goroutines waiting on
		// one (a CANCEL's 487, an ACK) return.
		u.closeErr = errors.Join(u.closeErr, u.sipUA.Close())
		if u.listener != nil {
			if cerr := u.listener.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
				u.closeErr = errors.Join(u.closeErr, cerr)
			}
		}
		u.group.wait()
		u.serve.Wait()
		// Calls that were still being set up end now, so their owners see Done.
		for _, c := range u.liveCalls() {
			c.finish(EndedByLocal, ErrClosed)
		}
	})
	return u.closeErr
}

// liveCalls is a snapshot of the calls up or ringing.
func (u *UA) liveCalls() []*Call {
	u.mu.Lock()
	defer u.mu.Unlock()
	calls := make([]*Call, 0, len(u.calls))
	for _, c := range u.calls {
		calls = append(calls, c)
	}
	return calls
}

func ignoreEnded(err error) error {
	if errors.Is(err, ErrCallEnded) {
		return nil
	}
	return err
}

func (u *UA) addCall(key string, c *Call) {
	u.mu.Lock()
	u.calls[key] = c
	u.mu.Unlock()
}

// busy reports whether MaxCalls calls are already up or ringing.
func (u *UA) busy() bool {
	if u.cfg.MaxCalls <= 0 {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.calls) >= u.cfg.MaxCalls
}

func (u *UA) removeCall(key string) {
	u.mu.Lock()
	delete(u.calls, key)
	u.mu.Unlock()
}

// callFor finds the call an in-dialog request belongs to: our tag is in
// To, theirs in From, whichever side started the dialog.
func (u *UA) callFor(req *sip.Request) *Call {
	key, ok := requestKey(req)
	if !ok {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[key]
}

func dialogKey(callID, localTag, remoteTag string) string {
	return callID + "|" + localTag + "|" + remoteTag
}

// requestKey is the dialog key of a request we received.
func requestKey(req *sip.Request) (string, bool) {
	callID, to, from := req.CallID(), req.To(), req.From()
	if callID == nil || to == nil || from == nil {
		return "", false
	}
	local, ok1 := to.Params.Get("tag")
	remote, ok2 := from.Params.Get("tag")
	if !ok1 || !ok2 {
		return "", false
	}
	return dialogKey(string(*callID), local, remote), true
}
