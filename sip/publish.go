package sip

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// SIP presence (RFC 3903 PUBLISH of a PIDF document, RFC 3863, with RPID
// activities, RFC 4480): the agent's state as any presence-aware phone or
// PBX shows it. The registrar's presence server (Kamailio's presence
// module) sends it to whoever SUBSCRIBEd to the agent (Event: presence).

// Presence is what we publish about the agent.
type Presence struct {
	// Open is the PIDF basic status: true when the agent can take calls
	// or is on one, false when not ready or on break.
	Open bool
	// Activity is an RPID activity: "on-the-phone", "busy", "away",
	// "meal"..., or "" for none.
	Activity string
	// Note is the state in words, e.g. "Not ready: Technical problem".
	Note string
	// State and Reason are Homeshore's own state name and reason code
	// ("not_ready", "technical"), in an extension element for tools that
	// know it.
	State, Reason string
}

// Status codes of RFC 3903 and RFC 6665 that sipgo does not name.
const (
	statusConditionalRequestFailed = 412
	statusBadEvent                 = 489
)

// DefaultPublishExpires is how long a publication lives before we refresh it.
const DefaultPublishExpires = 600 * time.Second

// Namespaces of the PIDF document.
const (
	nsPIDF  = "urn:ietf:params:xml:ns:pidf"
	nsDM    = "urn:ietf:params:xml:ns:pidf:data-model"
	nsRPID  = "urn:ietf:params:xml:ns:pidf:rpid"
	nsAgent = "urn:homeshore:params:xml:ns:agent-state"
)

// PIDF renders p as the PIDF document for entity (our AOR).
func (p Presence) PIDF(entity string) []byte {
	basic := "closed"
	if p.Open {
		basic = "open"
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<presence xmlns="%s" xmlns:dm="%s" xmlns:rpid="%s" xmlns:hs="%s" entity="%s">`+"\n",
		nsPIDF, nsDM, nsRPID, nsAgent, xmlEscape(entity))
	fmt.Fprintf(&b, `<tuple id="homeshore"><status><basic>%s</basic></status>`, basic)
	if p.Note != "" {
		fmt.Fprintf(&b, `<note>%s</note>`, xmlEscape(p.Note))
	}
	b.WriteString("</tuple>\n")
	b.WriteString(`<dm:person id="agent">`)
	if p.Activity != "" {
		fmt.Fprintf(&b, `<rpid:activities><rpid:%s/></rpid:activities>`, xmlName(p.Activity))
	}
	if p.State != "" {
		fmt.Fprintf(&b, `<hs:agent-state reason="%s">%s</hs:agent-state>`, xmlEscape(p.Reason), xmlEscape(p.State))
	}
	if p.Note != "" {
		fmt.Fprintf(&b, `<dm:note>%s</dm:note>`, xmlEscape(p.Note))
	}
	b.WriteString("</dm:person>\n</presence>\n")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// xmlName keeps an activity to the characters of an XML name.
func xmlName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// publication is our one presence publication at the registrar: its
// entity tag and the loop that refreshes it.
type publication struct {
	mu      sync.Mutex
	etag    string
	callID  sip.CallIDHeader
	cseq    uint32
	expires time.Duration
	stop    context.CancelFunc
	done    chan struct{}
}

// ErrNoPresenceServer means the registrar does not take PUBLISH.
var ErrNoPresenceServer = errors.New("the SIP server does not take presence (PUBLISH)")

// Publish sends our presence to the registrar (first publication or a
// modification with SIP-If-Match) and keeps it fresh until Unpublish or
// Close.
func (u *UA) Publish(ctx context.Context, p Presence) error {
	if u.cfg.Registrar == "" && u.cfg.OutboundProxy == "" {
		return errors.New("no SIP server to publish presence to")
	}
	u.mu.Lock()
	pub := u.pub
	if pub == nil {
		pub = &publication{callID: sip.CallIDHeader(sip.GenerateTagN(24)), expires: DefaultPublishExpires}
		u.pub = pub
	}
	u.mu.Unlock()
	body := p.PIDF(u.AOR())
	pub.mu.Lock()
	defer pub.mu.Unlock()
	if err := u.publishLocked(ctx, pub, body, pub.expires); err != nil {
		return err
	}
	if pub.stop == nil {
		loopCtx, stop := context.WithCancel(u.ctx)
		pub.stop, pub.done = stop, make(chan struct{})
		u.group.Go(func() { u.refreshPublication(loopCtx, pub) })
	}
	return nil
}

// Unpublish removes our presence (Expires: 0) and stops refreshing it.
func (u *UA) Unpublish(ctx context.Context) error {
	u.mu.Lock()
	pub := u.pub
	u.pub = nil
	u.mu.Unlock()
	if pub == nil {
		return nil
	}
	if pub.stop != nil {
		pub.stop()
		<-pub.done
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	if pub.etag == "" {
		return nil
	}
	return u.publishLocked(ctx, pub, nil, 0)
}

// refreshPublication refreshes with SIP-If-Match and no body before expiry.
func (u *UA) refreshPublication(ctx context.Context, pub *publication) {
	defer close(pub.done)
	for {
		pub.mu.Lock()
		wait := refreshIn(pub.expires)
		pub.mu.Unlock()
		t := u.clock.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
		pub.mu.Lock()
		err := u.publishLocked(ctx, pub, nil, pub.expires)
		pub.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			u.log.Warn("presence refresh failed", "error", err)
		}
	}
}

// publishLocked sends one PUBLISH: body nil refreshes (or removes, with
// expires 0) the publication named by pub.etag. A refresh the server no
// longer knows (412) is sent again as a new publication when we have a
// body; pub.mu is held.
func (u *UA) publishLocked(ctx context.Context, pub *publication, body []byte, expires time.Duration) error {
	res, err := u.sendPublish(ctx, pub, body, expires)
	if err != nil {
		return err
	}
	if res.StatusCode == sip.StatusIntervalToBrief {
		if h := res.GetHeader("Min-Expires"); h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
				pub.expires = time.Duration(n) * time.Second
				if expires != 0 {
					expires = pub.expires
				}
				res, err = u.sendPublish(ctx, pub, body, expires)
				if err != nil {
					return err
				}
			}
		}
	}
	if res.StatusCode == statusConditionalRequestFailed && expires != 0 {
		pub.etag = "" // the server forgot us: publish afresh
		if body == nil {
			return fmt.Errorf("presence publication expired at the server: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
		}
		if res, err = u.sendPublish(ctx, pub, body, expires); err != nil {
			return err
		}
	}
	switch {
	case res.IsSuccess():
		if expires == 0 {
			pub.etag = ""
			return nil
		}
		if h := res.GetHeader("SIP-ETag"); h != nil {
			pub.etag = strings.TrimSpace(h.Value())
		}
		if h := res.GetHeader("Expires"); h != nil {
			if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
				pub.expires = time.Duration(n) * time.Second
			}
		}
		return nil
	case res.StatusCode == sip.StatusMethodNotAllowed || res.StatusCode == sip.StatusNotImplemented ||
		res.StatusCode == statusBadEvent:
		return fmt.Errorf("%w: %w", ErrNoPresenceServer, &StatusError{Code: res.StatusCode, Reason: res.Reason})
	default:
		return fmt.Errorf("the SIP server refused our presence: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
}

// sendPublish sends one PUBLISH to our AOR through the registrar,
// answering a digest challenge.
func (u *UA) sendPublish(ctx context.Context, pub *publication, body []byte, expires time.Duration) (*sip.Response, error) {
	server := u.cfg.Registrar
	if server == "" {
		server = u.cfg.OutboundProxy
	}
	host, port, _ := splitHostPort(server, defaultPort(u.cfg.Transport))
	aor := u.cfg.domainURI(u.contact.Address.Scheme, u.cfg.User)
	req := sip.NewRequest(sip.PUBLISH, aor)
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	callID := pub.callID
	req.AppendHeader(&callID)
	pub.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: pub.cseq, MethodName: sip.PUBLISH})
	req.AppendHeader(sip.NewHeader("Event", "presence"))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	if pub.etag != "" {
		req.AppendHeader(sip.NewHeader("SIP-If-Match", pub.etag))
	}
	if body != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/pidf+xml"))
		req.SetBody(body)
	}
	req.SetTransport(u.cfg.Transport)
	req.SetDestination(u.nextHop(host, port))
	ctx, cancel := context.WithTimeout(ctx, u.cfg.RequestTimeout)
	defer cancel()
	res, err := u.client.Do(ctx, req)
	if err != nil {
		return nil, u.requestError("presence server", server, err)
	}
	if res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired {
		if u.cfg.Password == "" {
			return nil, fmt.Errorf("the presence server asks for a password: %w", ErrNoPassword)
		}
		pub.cseq++ // DoDigestAuth sends again with the next CSeq
		res, err = u.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: u.cfg.AuthUser, Password: u.cfg.Password})
		if err != nil {
			return nil, u.requestError("presence server", server, err)
		}
	}
	return res, nil
}
