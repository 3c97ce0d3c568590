package sip

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// sipVersion is the only protocol version we speak.
const sipVersion = "SIP/2.0"

// statusUnsupportedURIScheme is SIP's 416 (sipgo names the code after HTTP).
const statusUnsupportedURIScheme = 416

// singleHeaders may appear once in a request (RFC 3261 §7.3.1): a second
// one makes the request ambiguous (RFC 4475 §3.3.8, §3.3.9).
var singleHeaders = []string{"From", "To", "Call-ID", "CSeq", "Max-Forwards", "Content-Length", "Content-Type"}

// rejection is a final response we answer instead of running a handler.
type rejection struct {
	code    int
	reason  string
	headers []sip.Header
	why     string // for the log
}

// guard wraps a handler with the UAS checks of RFC 3261 §8.2, in its
// order: version (505), well-formedness (400), method (405/501), URI
// scheme (416), merged requests (482), Require (420), body (415). A
// request too broken to answer validly is dropped. The handler runs as a
// goroutine of the UA's group, so Close waits for it.
func (u *UA) guard(m method) func(*sip.Request, sip.ServerTransaction) {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !answerable(u.parser, req) {
			u.log.Warn("dropping a request too malformed to answer", "request", req.StartLine())
			return
		}
		if !u.group.enter() { // closing
			respond(tx, req, sip.StatusServiceUnavailable, "Service Unavailable")
			return
		}
		defer u.group.leave()
		if rej := u.screen(req, m); rej != nil {
			if req.IsAck() {
				return // nothing answers an ACK
			}
			u.log.Info("refusing a request", "request", req.StartLine(), "code", rej.code, "reason", rej.reason, "why", rej.why)
			respond(tx, req, rej.code, rej.reason, rej.headers...)
			return
		}
		if release, merged := u.trackInvite(req); merged {
			respond(tx, req, sip.StatusLoopDetected, "Loop Detected")
			return
		} else {
			defer release()
		}
		m.handler(req, tx)
	}
}

// answerable reports whether a valid response can be built: the headers
// a response copies (Via with a sent-by, From, To, Call-ID, CSeq) exist
// and read back the same once printed, so the sender can match it. sipgo
// accepts some garbage it then prints differently (a From of ":0>tag=").
func answerable(parser *sip.Parser, req *sip.Request) bool {
	via := req.Via()
	// Any SIP version in Via: a request claiming another one gets 505.
	if via == nil || via.Host == "" || !strings.EqualFold(via.ProtocolName, "SIP") || via.ProtocolVersion == "" || via.Transport == "" ||
		req.From() == nil || req.To() == nil || req.CallID() == nil || req.CSeq() == nil {
		return false
	}
	res := sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil)
	res.SipVersion = sipVersion
	msg, err := parser.ParseSIP([]byte(res.String()))
	if err != nil {
		return false
	}
	back, ok := msg.(*sip.Response)
	if !ok || back.Via() == nil || back.From() == nil || back.CallID() == nil || back.CSeq() == nil {
		return false
	}
	bv := back.Via()
	return bv.Host == via.Host && bv.Port == via.Port && bv.Params.GetOr("branch", "") == via.Params.GetOr("branch", "") &&
		tagOf(back.From().Params) == tagOf(req.From().Params) && back.CallID().Value() == req.CallID().Value() &&
		back.CSeq().SeqNo == req.CSeq().SeqNo && back.CSeq().MethodName == req.CSeq().MethodName
}

// screen runs the checks in RFC 3261 §8.2 order and returns the first
// failure, or nil.
func (u *UA) screen(req *sip.Request, m method) *rejection {
	if !strings.EqualFold(req.SipVersion, sipVersion) {
		return &rejection{code: sip.StatusVersionNotSupported, reason: "Version Not Supported"}
	}
	if why := malformed(req); why != "" {
		return &rejection{code: sip.StatusBadRequest, reason: "Bad Request", why: why,
			headers: []sip.Header{sip.NewHeader("Warning", warning(399, why))}}
	}
	if m.name == "" { // the method has no row
		allow := sip.NewHeader("Allow", u.allowValue())
		if isKnownMethod(req.Method) {
			return &rejection{code: sip.StatusMethodNotAllowed, reason: "Method Not Allowed", headers: []sip.Header{allow}}
		}
		return &rejection{code: sip.StatusNotImplemented, reason: "Not Implemented", headers: []sip.Header{allow}}
	}
	if s := req.Recipient.Scheme; s != "sip" && s != "sips" {
		return &rejection{code: statusUnsupportedURIScheme, reason: "Unsupported URI Scheme"}
	}
	if req.IsCancel() || req.IsAck() {
		return nil // Require and bodies do not apply (RFC 3261 §8.2.2.3)
	}
	if unknown := unsupportedRequire(req); len(unknown) > 0 {
		return &rejection{code: sip.StatusBadExtension, reason: "Bad Extension",
			headers: []sip.Header{sip.NewHeader("Unsupported", strings.Join(unknown, ", "))}}
	}
	if body := bodyType(req); body != "" && !accepts(m.accept, body) && !optionalBody(req) &&
		!(strings.HasPrefix(body, "multipart/") && accepts(m.accept, sdpType) && hasSDP(req)) {
		accept := strings.Join(m.accept, ", ")
		return &rejection{code: sip.StatusUnsupportedMediaType, reason: "Unsupported Media Type",
			headers: []sip.Header{sip.NewHeader("Accept", accept)}}
	}
	if req.IsInvite() && !acceptsOurAnswer(req) {
		return &rejection{code: sip.StatusNotAcceptable, reason: "Not Acceptable",
			headers: []sip.Header{sip.NewHeader("Accept", sdpType)}}
	}
	return nil
}

// malformed says what makes a request unusable, or "".
func malformed(req *sip.Request) string {
	for _, name := range singleHeaders {
		if n := len(req.GetHeaders(name)); n > 1 {
			return fmt.Sprintf("%d %s headers", n, name)
		}
	}
	cseq := req.CSeq()
	// Methods are case-sensitive (RFC 3261 §7.1), but sipgo upper-cases the
	// request line's method and not CSeq's: compare as sipgo left them.
	if !strings.EqualFold(string(cseq.MethodName), string(req.Method)) {
		return fmt.Sprintf("CSeq method %s does not match the request method %s", cseq.MethodName, req.Method)
	}
	if mf := req.MaxForwards(); mf != nil && mf.Val() > 255 {
		return "Max-Forwards above 255"
	}
	if h := req.GetHeader("Expires"); h != nil {
		if _, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32); err != nil {
			return "Expires is not a number of seconds"
		}
	}
	if req.IsInvite() {
		if req.Contact() == nil {
			return "INVITE without Contact"
		}
		if s := req.Contact().Address.Scheme; s != "sip" && s != "sips" {
			return "INVITE Contact is not a SIP URI"
		}
	}
	if req.Recipient.Host == "" && (req.Recipient.Scheme == "sip" || req.Recipient.Scheme == "sips") {
		return "Request-URI without a host"
	}
	if req.Recipient.Headers.Length() > 0 {
		return "the Request-URI carries headers (?...), which RFC 3261 §19.1.1 forbids there" // RFC 4475 §3.1.2.11
	}
	if !validScheme(req.Recipient.Scheme) {
		return "the Request-URI is not a URI" // e.g. in <> (RFC 4475 §3.1.2.7)
	}
	if len(req.Body()) > 0 && req.ContentType() == nil {
		return "a body without Content-Type"
	}
	return ""
}

// validScheme: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func validScheme(s string) bool {
	for i, c := range s {
		alpha := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !alpha && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

func isKnownMethod(m sip.RequestMethod) bool {
	for _, k := range knownMethods {
		if k == m {
			return true
		}
	}
	return false
}

// unsupportedRequire lists the option tags of Require headers we do not
// implement. Proxy-Require is for proxies and is ignored here.
func unsupportedRequire(req *sip.Request) []string {
	var unknown []string
	for _, h := range req.GetHeaders("Require") {
		for _, tag := range strings.Split(h.Value(), ",") {
			if tag = strings.TrimSpace(tag); tag != "" && !supports(tag) {
				unknown = append(unknown, tag)
			}
		}
	}
	return unknown
}

// bodyType is the media type of the request's body (lower case, without
// parameters), or "" without a body.
func bodyType(req *sip.Request) string {
	if len(req.Body()) == 0 {
		return ""
	}
	ct := req.ContentType()
	if ct == nil {
		return ""
	}
	t, _, _ := strings.Cut(ct.Value(), ";")
	return strings.ToLower(strings.TrimSpace(t))
}

func accepts(types []string, t string) bool {
	for _, a := range types {
		if a == t || a == anyBody {
			return true
		}
	}
	return false
}

// optionalBody: Content-Disposition handling=optional lets us ignore a
// body we do not understand (RFC 3261 §20.11).
func optionalBody(req *sip.Request) bool {
	h := req.GetHeader("Content-Disposition")
	if h == nil {
		return false
	}
	for _, p := range strings.Split(h.Value(), ";")[1:] {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "handling") && strings.EqualFold(strings.TrimSpace(v), "optional") {
			return true
		}
	}
	return false
}

// acceptsOurAnswer: an INVITE whose Accept excludes SDP cannot take the
// answer we would send (RFC 4475 §3.3.15).
func acceptsOurAnswer(req *sip.Request) bool {
	hs := req.GetHeaders("Accept")
	if len(hs) == 0 {
		return true
	}
	for _, h := range hs {
		for _, r := range strings.Split(h.Value(), ",") {
			t, _, _ := strings.Cut(r, ";")
			switch strings.ToLower(strings.TrimSpace(t)) {
			case sdpType, "application/*", "*/*", "":
				return true
			}
		}
	}
	return false
}

// warning is a Warning header value (RFC 3261 §20.43) from us.
func warning(code int, text string) string {
	return fmt.Sprintf(`%d homeshore "%s"`, code, strings.ReplaceAll(text, `"`, "'"))
}

// trackInvite notes an INVITE outside a dialog while its handler runs. A
// second one with the same From tag, Call-ID and CSeq but another branch
// reached us twice through a forking proxy (RFC 3261 §8.2.2.2): merged.
func (u *UA) trackInvite(req *sip.Request) (release func(), merged bool) {
	if !req.IsInvite() || req.To().Params.Has("tag") {
		return func() {}, false
	}
	key := fmt.Sprintf("%s|%s|%d", req.CallID().Value(), tagOf(req.From().Params), req.CSeq().SeqNo)
	branch, _ := req.Via().Params.Get("branch")
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.invites == nil {
		u.invites = map[string]string{}
	}
	if other, ok := u.invites[key]; ok && other != branch {
		return nil, true
	}
	u.invites[key] = branch
	return func() {
		u.mu.Lock()
		delete(u.invites, key)
		u.mu.Unlock()
	}, false
}
