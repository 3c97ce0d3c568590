package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// minRefresh keeps a server's tiny Expires from turning refresh into a busy loop.
const minRefresh = 5 * time.Second

// registration is one REGISTER binding; keepRegistered owns it once the
// first REGISTER succeeded.
type registration struct {
	callID  sip.CallIDHeader
	fromTag string
	cseq    uint32 // under UA.mu
	// stale is a contact of ours the registrar may still hold (a TLS
	// connection's old port): the next REGISTER removes it (expires=0).
	stale *sip.ContactHeader
	// bound: the registrar holds our contact (a REGISTER succeeded and none
	// failed since), so Unregister has something to remove. Under UA.mu.
	bound bool
	// kick asks the loop to register again at once, saying why.
	kick chan error
	stop context.CancelFunc
	done chan struct{}
}

// AOR is our address of record, sip:user@domain.
func (u *UA) AOR() string {
	aor := u.cfg.domainURI("sip", u.cfg.User)
	return aor.String()
}

// Register registers with the registrar and keeps the binding until
// Unregister or Close: refreshes it, checks it is still there, and
// registers again by itself after an outage (see Reconnecting). It
// returns once the first REGISTER succeeded or failed. A failure retrying
// may fix (the server or the network is not there yet) returns a
// *RetryingError: the UA keeps trying in the background and says so with
// Reconnecting, then Registered. Any other failure (credentials refused,
// no password) is final: it says in one sentence what to fix, and
// nothing is retried. The Registered event follows a success once the
// first keepalive has run.
func (u *UA) Register(ctx context.Context) error {
	if u.cfg.Registrar == "" {
		return errors.New("no registrar configured: give the SIP server address")
	}
	u.mu.Lock()
	if u.reg != nil {
		u.mu.Unlock()
		return errors.New("already registered")
	}
	reg := &registration{callID: sip.CallIDHeader(sip.GenerateTagN(24)), fromTag: sip.GenerateTagN(16), cseq: 1, kick: make(chan error, 1)}
	u.reg = reg
	u.mu.Unlock()

	start := u.clock.Now()
	expires, err := u.register(ctx, reg)
	if err != nil && (permanent(err) || ctx.Err() != nil) {
		u.mu.Lock()
		u.reg = nil
		u.mu.Unlock()
		if ctx.Err() == nil {
			u.emit(RegistrationFailed{Err: err, Since: start})
		}
		return err
	}
	if err == nil {
		u.startFlow()
	}
	first := firstAttempt{expires: expires, err: err, at: start}
	if err != nil {
		first.wait = retryDelay(1, err, jitter)
	}
	loopCtx, stop := context.WithCancel(u.ctx) // the loop emits Registered or Reconnecting
	reg.stop, reg.done = stop, make(chan struct{})
	if !u.group.Go(func() { u.keepRegistered(loopCtx, reg, first) }) {
		close(reg.done)
		return ErrClosed
	}
	if err != nil {
		return &RetryingError{Err: err, Retry: start.Add(first.wait)}
	}
	return nil
}

// firstAttempt is how Register's own REGISTER went, for keepRegistered.
type firstAttempt struct {
	expires time.Duration // granted, on success
	err     error         // why it failed, retryably
	at      time.Time     // when it was sent
	wait    time.Duration // after a failure: until the next try
}

// register sends one REGISTER with our current contact (over TLS, first
// the contact of the connection we now hold).
func (u *UA) register(ctx context.Context, reg *registration) (time.Duration, error) {
	if err := u.bindStreamContact(ctx, reg); err != nil {
		return 0, err
	}
	return u.doRegister(ctx, reg, u.cfg.Expires)
}

// bindStreamContact: over TLS we accept no connections (we hold no server
// certificate), so the registrar must send calls back over the connection
// we open. Our Contact therefore names that connection's local port; the
// registrar finds its open connection by that address. A new connection
// (after a drop) means a new port: the old contact is removed with the
// next REGISTER.
func (u *UA) bindStreamContact(ctx context.Context, reg *registration) error {
	if u.cfg.Transport != TransportTLS {
		return nil
	}
	if err := u.Ping(ctx); err != nil { // opens the TLS connection
		return err
	}
	addr, err := u.registrarAddr(ctx)
	if err != nil {
		return err
	}
	conn, err := u.sipUA.TransportLayer().GetConnection(TransportTLS, addr.String())
	if err != nil {
		return fmt.Errorf("the TLS connection to %s closed right after it opened: %w", addr, err)
	}
	defer conn.TryClose() // GetConnection took a reference
	local, err := netip.ParseAddrPort(conn.LocalAddr().String())
	if err != nil {
		return fmt.Errorf("local address of the TLS connection: %w", err)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.contact.Address.Port == int(local.Port()) {
		return nil
	}
	if reg.cseq > 1 { // registered before with the old port
		old := u.contact.Clone()
		reg.stale = old
	}
	u.contact.Address.Port = int(local.Port())
	// Sessions keep the DialogUA they were made with; new ones get the new contact.
	u.dialog = &sipgo.DialogUA{Client: u.client, ContactHDR: u.contact}
	return nil
}

// registrarAddr resolves the next hop toward the registrar to IP:port,
// the key of its connection in sipgo's pool.
func (u *UA) registrarAddr(ctx context.Context) (netip.AddrPort, error) {
	regHost, regPort, _ := splitHostPort(u.cfg.Registrar, defaultPort(u.cfg.Transport))
	host, port, _ := splitHostPort(u.nextHop(regHost, regPort), 0)
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return netip.AddrPort{}, fmt.Errorf("cannot resolve %q: %w", host, err)
	}
	return netip.AddrPortFrom(ips[0].Unmap(), uint16(port)), nil
}

// refreshIn re-registers at 80 % of the granted time.
func refreshIn(expires time.Duration) time.Duration {
	return max(expires*8/10, minRefresh)
}

// Unregister removes our binding (Expires: 0) and stops refreshing.
func (u *UA) Unregister(ctx context.Context) error {
	err := u.stopRegistration(ctx)
	if err == nil {
		u.emit(Unregistered{})
	}
	return err
}

func (u *UA) stopRegistration(ctx context.Context) error {
	u.mu.Lock()
	reg := u.reg
	u.reg = nil
	u.mu.Unlock()
	if reg == nil {
		return nil
	}
	reg.stop()
	<-reg.done
	u.mu.Lock()
	bound := reg.bound
	u.mu.Unlock()
	if !bound {
		return nil // never registered, or refused since: nothing to remove
	}
	_, err := u.doRegister(ctx, reg, 0)
	return err
}

// doRegister sends one REGISTER (answering a digest challenge, and a 423
// Interval Too Brief with the Min-Expires it names) and returns the
// lifetime the registrar granted.
func (u *UA) doRegister(ctx context.Context, reg *registration, expires time.Duration) (time.Duration, error) {
	got, err := u.registerOnce(ctx, reg, expires)
	u.mu.Lock()
	reg.bound = err == nil && expires > 0
	u.mu.Unlock()
	return got, err
}

func (u *UA) registerOnce(ctx context.Context, reg *registration, expires time.Duration) (time.Duration, error) {
	res, contact, authed, err := u.sendRegister(ctx, reg, expires)
	if err == nil && res.StatusCode == sip.StatusIntervalToBrief {
		if min, ok := headerSeconds(res, "Min-Expires"); ok && min > expires && min <= MaxExpires {
			u.log.Info("the registrar asks for a longer registration", "min_expires", min)
			expires = min
			res, contact, authed, err = u.sendRegister(ctx, reg, expires)
		}
	}
	if err != nil {
		return 0, err
	}
	switch {
	case res.IsSuccess():
		u.mu.Lock()
		reg.stale = nil
		u.mu.Unlock()
		return grantedExpiry(res, contact, expires), nil
	case res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired:
		return 0, fmt.Errorf("%w: registrar %s refused user %q with this password (%d %s): check the password",
			ErrAuthFailed, u.cfg.Registrar, u.cfg.AuthUser, res.StatusCode, res.Reason)
	case res.StatusCode == sip.StatusForbidden && authed:
		return 0, fmt.Errorf("%w: registrar %s refused user %q (403 %s): check the user name, the password and the domain",
			ErrAuthFailed, u.cfg.Registrar, u.cfg.User, res.Reason)
	}
	se := &StatusError{Code: res.StatusCode, Reason: res.Reason, RetryAfter: retryAfter(res)}
	switch res.StatusCode {
	case sip.StatusForbidden:
		// Refused before any password was asked for: a rule about where we
		// come from (a network outside the VPN), not the account.
		se.Detail = "it does not take registrations from here: connect the VPN or ask IT"
	case sip.StatusNotFound:
		se.Detail = fmt.Sprintf("it does not know user %q in domain %q: check the user name and the domain", u.cfg.User, u.cfg.Domain)
	}
	return 0, fmt.Errorf("registrar %s refused the registration: %w", u.cfg.Registrar, se)
}

// sendRegister sends one REGISTER asking for expires and answers a digest
// challenge; it returns the final response, the contact it registered,
// and whether it sent our credentials.
func (u *UA) sendRegister(ctx context.Context, reg *registration, expires time.Duration) (*sip.Response, *sip.ContactHeader, bool, error) {
	host, port, _ := splitHostPort(u.cfg.Registrar, defaultPort(u.cfg.Transport))
	u.mu.Lock()
	contact := u.contact.Clone()
	var stale *sip.ContactHeader
	if reg.stale != nil {
		stale = reg.stale.Clone()
	}
	reg.cseq++
	cseq := reg.cseq
	u.mu.Unlock()
	recipient := u.cfg.domainURI(contact.Address.Scheme, "")
	req := sip.NewRequest(sip.REGISTER, recipient)
	aor := u.cfg.domainURI(contact.Address.Scheme, u.cfg.User)
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", reg.fromTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	callID := reg.callID
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: cseq, MethodName: sip.REGISTER})
	req.AppendHeader(contact)
	if stale != nil && expires > 0 {
		if stale.Params == nil {
			stale.Params = sip.NewParams()
		}
		stale.Params.Add("expires", "0")
		req.AppendHeader(stale)
	}
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	u.advertise(req)
	req.SetTransport(u.cfg.Transport)
	req.SetDestination(u.nextHop(host, port))

	ctx, cancel := context.WithTimeout(ctx, u.cfg.RequestTimeout)
	defer cancel()
	res, err := u.client.Do(ctx, req)
	if err != nil {
		return nil, nil, false, u.requestError("registrar", u.cfg.Registrar, err)
	}
	authed := false
	// A second challenge is answered only when it says our nonce was
	// stale (RFC 2617 §3.2.1): the password was right.
	for try := 0; try < 2 && challenged(res) && (try == 0 || staleNonce(res)); try++ {
		if u.cfg.Password == "" {
			return nil, nil, false, fmt.Errorf("registrar %s asks for a password: %w", u.cfg.Registrar, ErrNoPassword)
		}
		u.mu.Lock()
		reg.cseq++ // DoDigestAuth increments the CSeq it resends with
		u.mu.Unlock()
		authed = true
		res, err = u.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: u.cfg.AuthUser, Password: u.cfg.Password})
		if err != nil {
			return nil, nil, true, u.requestError("registrar", u.cfg.Registrar, err)
		}
	}
	return res, contact, authed, nil
}

// challenged reports a 401 or 407.
func challenged(res *sip.Response) bool {
	return res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired
}

// staleNonce reports a challenge with stale=true: our credentials were
// right but the nonce had expired.
func staleNonce(res *sip.Response) bool {
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		for _, h := range res.GetHeaders(name) {
			for part := range strings.SplitSeq(h.Value(), ",") {
				k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
				if ok && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(k, "Digest ")), "stale") &&
					strings.EqualFold(strings.Trim(strings.TrimSpace(v), `"`), "true") {
					return true
				}
			}
		}
	}
	return false
}

// nextHop is where a request leaves to: the outbound proxy when set.
func (u *UA) nextHop(host string, port int) string {
	if u.cfg.OutboundProxy != "" {
		h, p, _ := splitHostPort(u.cfg.OutboundProxy, defaultPort(u.cfg.Transport))
		host, port = h, p
	}
	return joinHostPort(host, port)
}

func joinHostPort(host string, port int) string {
	if port == 0 {
		return host
	}
	return fmt.Sprintf("%s:%d", bracketV6(host), port)
}

func bracketV6(host string) string {
	for _, c := range host {
		if c == ':' {
			return "[" + host + "]"
		}
	}
	return host
}

// grantedExpiry reads the lifetime the registrar granted our contact: its
// expires param in the 200's Contact list, else the Expires header, else
// what we asked for.
func grantedExpiry(res *sip.Response, ours *sip.ContactHeader, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || !sameContact(c.Address, ours.Address) {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.ParseUint(v, 10, 32); err == nil {
				return time.Duration(n) * time.Second
			}
		}
	}
	if d, ok := headerSeconds(res, "Expires"); ok {
		return d
	}
	return asked
}

// sameContact compares the user, host and port of two contact URIs: a
// registrar may add or drop URI parameters when it echoes our contact.
func sameContact(a, b sip.Uri) bool {
	return a.User == b.User && a.Host == b.Host && a.Port == b.Port
}

// headerSeconds reads a delta-seconds header (Expires, Min-Expires).
func headerSeconds(res *sip.Response, name string) (time.Duration, bool) {
	h := res.GetHeader(name)
	if h == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(h.Value(), 10, 32)
	if err != nil {
		return 0, false
	}
	return time.Duration(n) * time.Second, true
}

// requestError turns a transport or timeout failure into one sentence.
func (u *UA) requestError(role, addr string, err error) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, sip.ErrTransactionTimeout):
		return fmt.Errorf("%w: %s %s did not answer within %s over %s: check the address and that it is reachable",
			ErrTimeout, role, addr, u.cfg.RequestTimeout, u.cfg.Transport)
	case errors.Is(err, context.Canceled):
		return err
	default:
		return fmt.Errorf("cannot reach %s %s over %s: %w", role, addr, u.cfg.Transport, err)
	}
}

// Ping sends OPTIONS to the registrar (or outbound proxy) and waits for
// any final response: proof the server is alive and the path open.
func (u *UA) Ping(ctx context.Context) error {
	target := u.cfg.Registrar
	if target == "" {
		target = u.cfg.OutboundProxy
	}
	if target == "" {
		return errors.New("no SIP server configured to ping")
	}
	host, port, _ := splitHostPort(target, defaultPort(u.cfg.Transport))
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: u.scheme(), Host: host, Port: port})
	req.SetTransport(u.cfg.Transport)
	req.SetDestination(u.nextHop(host, port))
	ctx, cancel := context.WithTimeout(ctx, u.cfg.RequestTimeout)
	defer cancel()
	if _, err := u.client.Do(ctx, req); err != nil {
		return u.requestError("SIP server", target, err)
	}
	return nil
}
