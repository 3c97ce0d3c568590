package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// minRefresh keeps a server's tiny Expires from turning refresh into a busy loop.
const minRefresh = 5 * time.Second

// registration is the running refresh loop of one REGISTER binding.
type registration struct {
	callID  sip.CallIDHeader
	fromTag string
	cseq    uint32
	stop    context.CancelFunc
	done    chan struct{}
}

// AOR is our address of record, sip:user@domain.
func (u *UA) AOR() string {
	aor := u.cfg.domainURI("sip", u.cfg.User)
	return aor.String()
}

// Register registers with the registrar and keeps the binding fresh
// until Unregister or Close. It returns once the first REGISTER succeeded
// or failed; a failure says in one sentence what to do.
func (u *UA) Register(ctx context.Context) error {
	if u.cfg.Registrar == "" {
		return errors.New("no registrar configured: give the SIP server address")
	}
	u.mu.Lock()
	if u.reg != nil {
		u.mu.Unlock()
		return errors.New("already registered")
	}
	reg := &registration{callID: sip.CallIDHeader(sip.GenerateTagN(24)), fromTag: sip.GenerateTagN(16), cseq: 1}
	u.reg = reg
	u.mu.Unlock()

	err := u.bindStreamContact(ctx)
	var expires time.Duration
	if err == nil {
		expires, err = u.doRegister(ctx, reg, u.cfg.Expires)
	}
	if err != nil {
		u.mu.Lock()
		u.reg = nil
		u.mu.Unlock()
		u.emit(RegistrationFailed{Err: err})
		return err
	}
	u.emit(Registered{AOR: u.AOR(), Expires: expires})
	loopCtx, stop := context.WithCancel(u.ctx)
	reg.stop, reg.done = stop, make(chan struct{})
	go u.refreshLoop(loopCtx, reg, expires)
	return nil
}

// bindStreamContact: over TLS we accept no connections (we hold no server
// certificate), so the registrar must send calls back over the connection
// we open. Our Contact therefore names that connection's local port; the
// registrar finds its open connection by that address.
func (u *UA) bindStreamContact(ctx context.Context) error {
	if u.cfg.Transport != TransportTLS {
		return nil
	}
	if err := u.Ping(ctx); err != nil { // opens the TLS connection
		return err
	}
	regHost, regPort, _ := splitHostPort(u.cfg.Registrar, defaultPort(u.cfg.Transport))
	host, port, _ := splitHostPort(u.nextHop(regHost, regPort), 0)
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(ips) == 0 {
		return fmt.Errorf("cannot resolve %q: %w", host, err)
	}
	conn, err := u.sipUA.TransportLayer().GetConnection(TransportTLS, netip.AddrPortFrom(ips[0].Unmap(), uint16(port)).String())
	if err != nil {
		return fmt.Errorf("the TLS connection to %s closed right after it opened: %w", host, err)
	}
	local, err := netip.ParseAddrPort(conn.LocalAddr().String())
	if err != nil {
		return fmt.Errorf("local address of the TLS connection: %w", err)
	}
	u.mu.Lock()
	u.contact.Address.Port = int(local.Port())
	u.dialog.ContactHDR = u.contact
	u.mu.Unlock()
	return nil
}

// refreshLoop re-registers before expiry and sends OPTIONS keepalives.
func (u *UA) refreshLoop(ctx context.Context, reg *registration, expires time.Duration) {
	defer close(reg.done)
	refresh := time.NewTimer(refreshIn(expires))
	defer refresh.Stop()
	var keepalive <-chan time.Time
	if u.cfg.KeepAlive > 0 {
		t := time.NewTicker(u.cfg.KeepAlive)
		defer t.Stop()
		keepalive = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-keepalive:
			if err := u.Ping(ctx); err != nil && ctx.Err() == nil {
				u.log.Warn("keepalive to the SIP server failed", "error", err)
				refresh.Reset(0)
			}
		case <-refresh.C:
			got, err := u.doRegister(ctx, reg, u.cfg.Expires)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				u.log.Warn("registration refresh failed", "error", err)
				u.emit(RegistrationFailed{Err: err})
				refresh.Reset(minRefresh)
				continue
			}
			u.emit(Registered{AOR: u.AOR(), Expires: got})
			refresh.Reset(refreshIn(got))
		}
	}
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
	_, err := u.doRegister(ctx, reg, 0)
	return err
}

// doRegister sends one REGISTER (answering a digest challenge) and returns
// the lifetime the registrar granted.
func (u *UA) doRegister(ctx context.Context, reg *registration, expires time.Duration) (time.Duration, error) {
	host, port, _ := splitHostPort(u.cfg.Registrar, defaultPort(u.cfg.Transport))
	recipient := u.cfg.domainURI(u.contact.Address.Scheme, "")
	req := sip.NewRequest(sip.REGISTER, recipient)
	aor := u.cfg.domainURI(u.contact.Address.Scheme, u.cfg.User)
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", reg.fromTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	callID := reg.callID
	req.AppendHeader(&callID)
	u.mu.Lock()
	reg.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: reg.cseq, MethodName: sip.REGISTER})
	u.mu.Unlock()
	contact := u.contact.Clone()
	req.AppendHeader(contact)
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	req.SetTransport(u.cfg.Transport)
	req.SetDestination(u.nextHop(host, port))

	ctx, cancel := context.WithTimeout(ctx, u.cfg.RequestTimeout)
	defer cancel()
	res, err := u.client.Do(ctx, req)
	if err != nil {
		return 0, u.requestError("registrar", u.cfg.Registrar, err)
	}
	if res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired {
		if u.cfg.Password == "" {
			return 0, fmt.Errorf("registrar %s asks for a password: %w", u.cfg.Registrar, ErrNoPassword)
		}
		u.mu.Lock()
		reg.cseq++ // DoDigestAuth increments the CSeq it resends with
		u.mu.Unlock()
		res, err = u.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: u.cfg.AuthUser, Password: u.cfg.Password})
		if err != nil {
			return 0, u.requestError("registrar", u.cfg.Registrar, err)
		}
	}
	switch {
	case res.IsSuccess():
		return grantedExpiry(res, contact, expires), nil
	case res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired:
		return 0, fmt.Errorf("%w: registrar %s refused user %q with this password (%d %s): check the password",
			ErrAuthFailed, u.cfg.Registrar, u.cfg.AuthUser, res.StatusCode, res.Reason)
	case res.StatusCode == sip.StatusForbidden:
		return 0, fmt.Errorf("%w: registrar %s refused user %q (403 %s): check the user name, the password and the domain",
			ErrAuthFailed, u.cfg.Registrar, u.cfg.User, res.Reason)
	default:
		return 0, fmt.Errorf("registrar %s refused the registration: %w", u.cfg.Registrar,
			&StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
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

// grantedExpiry reads the lifetime from our Contact's expires param or
// the Expires header of a 200 to REGISTER.
func grantedExpiry(res *sip.Response, ours *sip.ContactHeader, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.Host != ours.Address.Host || c.Address.Port != ours.Address.Port {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				return time.Duration(n) * time.Second
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(h.Value()); err == nil {
			return time.Duration(n) * time.Second
		}
	}
	return asked
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
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: u.contact.Address.Scheme, Host: host, Port: port})
	req.SetTransport(u.cfg.Transport)
	req.SetDestination(u.nextHop(host, port))
	ctx, cancel := context.WithTimeout(ctx, u.cfg.RequestTimeout)
	defer cancel()
	if _, err := u.client.Do(ctx, req); err != nil {
		return u.requestError("SIP server", target, err)
	}
	return nil
}
