package sip

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// pongWait is how long a CRLF ping may go unanswered before the flow
// counts as failed (RFC 5626 §4.4.1).
const pongWait = 10 * time.Second

// flow watches the TCP/TLS connection to the registrar: RFC 5626 CRLF
// pings and their pongs, and the connection's presence in sipgo's pool.
type flow struct {
	mu       sync.Mutex
	addr     netip.AddrPort // the registrar's end of the connection; invalid: no flow
	pingAt   time.Time      // when the unanswered ping went out; zero: none
	pongSeen bool           // the server answers pings, so a missing pong means failure
}

// streamNetwork is the sipgo network name of our transport when it is a
// connection (tcp, tls), else "".
func (u *UA) streamNetwork() string {
	if u.cfg.Transport == TransportTCP || u.cfg.Transport == TransportTLS {
		return u.cfg.Transport
	}
	return ""
}

// startFlow starts watching the connection the last REGISTER used.
func (u *UA) startFlow() {
	if u.streamNetwork() == "" {
		return
	}
	ctx, cancel := context.WithTimeout(u.ctx, u.cfg.RequestTimeout)
	defer cancel()
	addr, err := u.registrarAddr(ctx)
	if err != nil {
		u.log.Debug("not watching the connection", "error", err)
		return
	}
	u.flow.mu.Lock()
	u.flow.addr, u.flow.pingAt, u.flow.pongSeen = addr, time.Time{}, false
	u.flow.mu.Unlock()
}

// connection returns sipgo's connection to the registrar, or nil when it
// is gone. The caller must TryClose a non-nil one.
func (u *UA) connection(addr netip.AddrPort) sip.Connection {
	conn, err := u.sipUA.TransportLayer().GetConnection(u.streamNetwork(), addr.String())
	if err != nil || conn == nil {
		return nil
	}
	return conn
}

// pingFlow sends a CRLF ping on the registrar's connection.
func (u *UA) pingFlow() error {
	u.flow.mu.Lock()
	addr := u.flow.addr
	u.flow.mu.Unlock()
	if u.streamNetwork() == "" || !addr.IsValid() {
		return nil
	}
	conn := u.connection(addr)
	if conn == nil {
		return fmt.Errorf("%w: the %s connection to %s closed", ErrConnectionLost, u.cfg.Transport, addr)
	}
	defer conn.TryClose()
	w, ok := conn.(io.Writer)
	if !ok {
		return nil
	}
	// Mark the ping before sending it: its pong may be read at once.
	u.flow.mu.Lock()
	if u.flow.pingAt.IsZero() {
		u.flow.pingAt = u.clock.Now()
	}
	u.flow.mu.Unlock()
	if _, err := w.Write([]byte("\r\n\r\n")); err != nil {
		return fmt.Errorf("%w: keepalive on the %s connection to %s: %w", ErrConnectionLost, u.cfg.Transport, addr, err)
	}
	return nil
}

// checkFlow reports a registrar connection that closed, or that stopped
// answering pings it used to answer.
func (u *UA) checkFlow(now time.Time) error {
	u.flow.mu.Lock()
	addr, pingAt, pongSeen := u.flow.addr, u.flow.pingAt, u.flow.pongSeen
	u.flow.mu.Unlock()
	if u.streamNetwork() == "" || !addr.IsValid() {
		return nil
	}
	conn := u.connection(addr)
	if conn == nil {
		return fmt.Errorf("%w: the %s connection to %s closed", ErrConnectionLost, u.cfg.Transport, addr)
	}
	if pongSeen && !pingAt.IsZero() && now.Sub(pingAt) > pongWait {
		// A silent flow is dead (RFC 5626 §4.4.1): drop it, so the next
		// REGISTER opens a new one instead of writing into the void.
		if err := conn.Close(); err != nil {
			u.log.Debug("closing the silent connection", "error", err)
		}
		// Out of the pool now, not when its reader notices: the REGISTER
		// that follows must not pick it.
		if pool := u.sipUA.TransportLayer().Pool(u.streamNetwork()); pool != nil {
			pool.Delete(addr.String())
		}
		return fmt.Errorf("%w: no answer to keepalives on the %s connection to %s for %s", ErrConnectionLost, u.cfg.Transport, addr, now.Sub(pingAt).Round(time.Second))
	}
	conn.TryClose()
	return nil
}

// readFilter sees every chunk sipgo reads before parsing: it takes CRLF
// pongs on stream connections, and answers or drops the UDP requests
// sipgo cannot read or would answer with an unmatchable 400
// (screenDatagram); the rest passes unchanged.
func (u *UA) readFilter(props sip.TransportReadProps, data []byte) ([]byte, error) {
	if strings.EqualFold(props.Transport, TransportUDP) && len(data) > 4 {
		if !u.screenDatagram(props.RemoteAddr, data) {
			return nil, nil
		}
		return data, nil
	}
	// A pong is a CRLF; it may arrive alone or ahead of the next message
	// in the same read (sipgo skips CRLFs before a start line).
	if bytes.HasPrefix(data, []byte("\r\n")) && props.RemoteAddr != nil {
		remote, err := netip.ParseAddrPort(props.RemoteAddr.String())
		if err == nil {
			u.flow.mu.Lock()
			if remote == u.flow.addr && (!u.flow.pingAt.IsZero() || len(bytes.Trim(data, "\r\n")) == 0) {
				u.flow.pingAt, u.flow.pongSeen = time.Time{}, true
			}
			u.flow.mu.Unlock()
		}
	}
	return data, nil
}

// probeVerdict is what one keepalive says about our binding.
type probeVerdict int

const (
	probeInconclusive    probeVerdict = iota // answered, but not about us (405, 501...)
	probeReached                             // 2xx: the registrar has our binding
	probeUnknownToServer                     // 404, 410, 480: it has none
)

// checkBinding is the keepalive: a CRLF ping on TCP/TLS, and an OPTIONS
// to our own address of record through the registrar, which comes back to
// us while the registrar has our binding. err is set when the server or
// the path is down.
func (u *UA) checkBinding(ctx context.Context) (probeVerdict, *sip.Response, error) {
	if err := u.pingFlow(); err != nil {
		return probeInconclusive, nil, err
	}
	return u.probeBinding(ctx)
}

// probeBinding sends the OPTIONS of checkBinding and reads its answer.
func (u *UA) probeBinding(ctx context.Context) (probeVerdict, *sip.Response, error) {
	res, err := u.probeAOR(ctx)
	switch {
	case ctx.Err() != nil:
		return probeInconclusive, nil, nil
	case err != nil:
		return probeInconclusive, nil, fmt.Errorf("keepalive: %w", err)
	case res.IsSuccess():
		return probeReached, res, nil
	}
	switch res.StatusCode {
	case sip.StatusNotFound, sip.StatusGone, sip.StatusTemporarilyUnavailable:
		return probeUnknownToServer, res, nil
	}
	return probeInconclusive, res, nil
}

// probeAOR sends OPTIONS to our address of record via the registrar,
// answering a digest challenge.
func (u *UA) probeAOR(ctx context.Context) (*sip.Response, error) {
	host, port, _ := splitHostPort(u.cfg.Registrar, defaultPort(u.cfg.Transport))
	aor := u.cfg.domainURI(u.scheme(), u.cfg.User)
	req := sip.NewRequest(sip.OPTIONS, aor)
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	req.SetTransport(u.cfg.Transport)
	req.SetDestination(u.nextHop(host, port))
	ctx, cancel := context.WithTimeout(ctx, u.cfg.RequestTimeout)
	defer cancel()
	res, err := u.client.Do(ctx, req)
	if err != nil {
		return nil, u.requestError("SIP server", u.cfg.Registrar, err)
	}
	if (res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired) && u.cfg.Password != "" {
		res, err = u.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: u.cfg.AuthUser, Password: u.cfg.Password})
		if err != nil {
			return nil, u.requestError("SIP server", u.cfg.Registrar, err)
		}
	}
	return res, nil
}
