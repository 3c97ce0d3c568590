package sip_test

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sipgo "github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/sip"
)

// Raw requests for the UAS checks, many after RFC 4475's torture tests.
// In each, LOCAL is the test's socket, UA the agent, BRANCH a fresh
// branch, CALLID a fresh Call-ID; lines end with \n and are sent with CRLF;
// Content-Length is filled in.

const sdpOffer = `v=0
o=- 1 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 4000 RTP/AVP 0
a=rtpmap:0 PCMU/8000
`

// optionsWith is an OPTIONS with extra header lines (and, after a blank
// line in extra, a body).
func optionsWith(extra string) string {
	return withHeaders(`OPTIONS sip:agent@UA SIP/2.0
Via: SIP/2.0/UDP LOCAL;branch=BRANCH
From: <sip:tester@LOCAL>;tag=t1
To: <sip:agent@UA>
Call-ID: CALLID
CSeq: 1 OPTIONS
Max-Forwards: 70
`, extra, "")
}

func inviteWith(extra, contentType, body string) string {
	return withHeaders(`INVITE sip:agent@UA SIP/2.0
Via: SIP/2.0/UDP LOCAL;branch=BRANCH
From: <sip:tester@LOCAL>;tag=t1
To: <sip:agent@UA>
Call-ID: CALLID
CSeq: 1 INVITE
Contact: <sip:tester@LOCAL>
Max-Forwards: 70
Content-Type: `+contentType+"\n", extra, body)
}

// withHeaders ends head (lines ending in \n) with extra, the blank line
// and body; a blank line inside extra starts the body there instead.
func withHeaders(head, extra, body string) string {
	if extra != "" && !strings.Contains(extra, "\n\n") {
		extra += "\n"
	}
	if !strings.Contains(extra, "\n\n") {
		extra += "\n"
	}
	return head + extra + body
}

// rawUAS sends hand-written requests to a UA and reads its responses.
type rawUAS struct {
	t    *testing.T
	ua   *sip.UA
	conn net.PacketConn
}

var rawSeq atomic.Int64

func newRawUAS(t *testing.T) *rawUAS {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawUAS{t: t, ua: newUA(t, sip.Config{}), conn: conn}
}

// fill replaces the placeholders, turns \n into CRLF and adds Content-Length.
func (r *rawUAS) fill(msg string) (string, string) {
	n := rawSeq.Add(1)
	callID := fmt.Sprintf("screen-%d-%d@test", time.Now().UnixNano(), n)
	msg = strings.NewReplacer("LOCAL", r.conn.LocalAddr().String(), "UA", r.ua.SIPAddr().String(),
		"BRANCH", fmt.Sprintf("z9hG4bK-screen-%d", n), "CALLID", callID).Replace(msg)
	head, body, _ := strings.Cut(msg, "\n\n")
	head = strings.ReplaceAll(head, "\n", "\r\n")
	body = strings.ReplaceAll(body, "\n", "\r\n")
	if !strings.Contains(strings.ToLower(head), "content-length") {
		head += fmt.Sprintf("\r\nContent-Length: %d", len(body))
	}
	return head + "\r\n\r\n" + body, callID
}

// send sends a raw request and returns its Call-ID.
func (r *rawUAS) send(msg string) string {
	r.t.Helper()
	data, callID := r.fill(msg)
	if _, err := r.conn.WriteTo([]byte(data), net.UDPAddrFromAddrPort(r.ua.SIPAddr())); err != nil {
		r.t.Fatal(err)
	}
	return callID
}

// final returns the next final response for callID, and its raw text.
func (r *rawUAS) final(callID string) (*sipgo.Response, string) {
	r.t.Helper()
	_ = r.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 65535)
	for {
		n, _, err := r.conn.ReadFrom(buf)
		if err != nil {
			r.t.Fatalf("no final response for %s: %v", callID, err)
		}
		raw := string(buf[:n])
		msg, err := sipgo.ParseMessage(buf[:n])
		if err != nil {
			r.t.Fatalf("the UA sent an unparsable message: %v\n%s", err, raw)
		}
		res, ok := msg.(*sipgo.Response)
		if !ok {
			continue
		}
		if res.CallID() == nil || res.CallID().Value() != callID {
			r.t.Fatalf("a response for another request (%v) came first:\n%s", res.CallID(), raw)
		}
		if res.IsProvisional() {
			continue
		}
		return res, raw
	}
}

// exchange sends msg and returns the final response, checked to be one a
// client can match to its request (RFC 3261 §8.2.6.2).
func (r *rawUAS) exchange(msg string) *sipgo.Response {
	r.t.Helper()
	return r.exchangeIn(msg, "")
}

// exchangeIn is exchange for a request of an existing call: callID is
// its Call-ID, already in msg ("": msg gets a fresh one).
func (r *rawUAS) exchangeIn(msg, callID string) *sipgo.Response {
	r.t.Helper()
	if sent := r.send(msg); callID == "" {
		callID = sent
	}
	res, raw := r.final(callID)
	if !strings.HasPrefix(raw, "SIP/2.0 ") {
		r.t.Fatalf("status line is not SIP/2.0:\n%s", raw)
	}
	via := res.Via()
	if via == nil || via.Host != "127.0.0.1" || !strings.HasPrefix(via.Params.GetOr("branch", ""), "z9hG4bK-screen-") {
		r.t.Fatalf("response Via does not match the request's:\n%s", raw)
	}
	if tag, _ := res.From().Params.Get("tag"); tag != "t1" {
		r.t.Fatalf("response From tag %q, want t1:\n%s", tag, raw)
	}
	if res.CSeq() == nil {
		r.t.Fatalf("response without CSeq:\n%s", raw)
	}
	if res.CSeq().MethodName == sipgo.INVITE && !res.IsSuccess() {
		r.ack(res) // or the final comes again (RFC 3261 §17.2.1)
	}
	return res
}

// ack acknowledges a non-2xx final response to an INVITE.
func (r *rawUAS) ack(res *sipgo.Response) {
	r.t.Helper()
	ack := fmt.Sprintf("ACK sip:agent@%s SIP/2.0\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		r.ua.SIPAddr(), res.Via().Value(), res.From().Value(), res.To().Value(), res.CallID().Value(), res.CSeq().SeqNo)
	if _, err := r.conn.WriteTo([]byte(ack), net.UDPAddrFromAddrPort(r.ua.SIPAddr())); err != nil {
		r.t.Fatal(err)
	}
}

func wantStatus(t *testing.T, res *sipgo.Response, code int) {
	t.Helper()
	if res.StatusCode != code {
		t.Fatalf("got %d %s, want %d:\n%s", res.StatusCode, res.Reason, code, res.String())
	}
}

func headerValue(res *sipgo.Response, name string) string {
	if h := res.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// TestUnsupportedVersionGets505: RFC 4475 §3.1.2.16 (badvers). The
// response speaks SIP/2.0 and is matched to the request.
func TestUnsupportedVersionGets505(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	for _, version := range []string{"SIP/7.0", "SIP/9.9", "SIP/2.1"} {
		res := r.exchange(strings.Replace(optionsWith(""), "SIP/2.0\n", version+"\n", 1))
		wantStatus(t, res, 505)
		res = r.exchange(strings.Replace(inviteWith("", "application/sdp", sdpOffer), "SIP/2.0\n", version+"\n", 1))
		wantStatus(t, res, 505)
		// badvers speaks its version in Via too.
		res = r.exchange(strings.Replace(strings.Replace(optionsWith(""), "SIP/2.0\n", version+"\n", 1), "SIP/2.0/UDP", version+"/UDP", 1))
		wantStatus(t, res, 505)
	}
	select {
	case ev := <-r.ua.Events():
		t.Fatalf("an INVITE with another SIP version reached the agent: %#v", ev)
	default:
	}
}

// TestRequireUnknownExtensionGets420: RFC 3261 §8.2.2.3, RFC 4475
// §3.3.5 (bext01): 420 with Unsupported naming every unknown tag, and the
// call never rings.
func TestRequireUnknownExtensionGets420(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	res := r.exchange(optionsWith("Require: nothingSupportedHere, 100rel\nRequire: timer"))
	wantStatus(t, res, 420)
	if got := headerValue(res, "Unsupported"); got != "nothingSupportedHere, 100rel, timer" {
		t.Errorf("Unsupported: %q", got)
	}
	res = r.exchange(inviteWith("Require: timer", "application/sdp", sdpOffer))
	wantStatus(t, res, 420)
	if got := headerValue(res, "Unsupported"); got != "timer" {
		t.Errorf("Unsupported: %q", got)
	}
	select {
	case ev := <-r.ua.Events():
		t.Fatalf("a call requiring an unknown extension reached the agent: %#v", ev)
	default:
	}
	// Proxy-Require is for proxies: a UAS ignores it.
	wantStatus(t, r.exchange(optionsWith("Proxy-Require: foo")), 200)
}

// TestWeAdvertiseWhatWeImplement: Allow lists exactly the methods with a
// handler, Supported our extensions (Replaces, Join), Accept what INVITE reads.
func TestWeAdvertiseWhatWeImplement(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	res := r.exchange(optionsWith(""))
	wantStatus(t, res, 200)
	if got := headerValue(res, "Allow"); got != "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, REFER, NOTIFY" {
		t.Errorf("Allow: %q", got)
	}
	if got := headerValue(res, "Supported"); got != "replaces, join" {
		t.Errorf("Supported: %q, want replaces, join", got)
	}
	if got := headerValue(res, "Accept"); got != "application/sdp" {
		t.Errorf("Accept: %q", got)
	}
}

// TestMethodsWeDoNotTake: RFC 3261 §8.2.1: 405 with Allow for a method we
// know but do not accept, 501 for one nobody defined (RFC 4475 §3.1.1.3
// intmeth); both say what we allow.
func TestMethodsWeDoNotTake(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	for _, tc := range []struct {
		method string
		code   int
	}{{"MESSAGE", 405}, {"SUBSCRIBE", 405}, {"UPDATE", 405}, {"REGISTER", 405},
		{"NEWMETHOD", 501}, {"!interesting-Method0123456789_*+`.%indeed'~", 501}} {
		msg := strings.ReplaceAll(optionsWith(""), "OPTIONS", tc.method)
		res := r.exchange(msg)
		wantStatus(t, res, tc.code)
		if !strings.Contains(headerValue(res, "Allow"), "INVITE") {
			t.Errorf("%s: %d without Allow", tc.method, tc.code)
		}
	}
}

// TestMalformedRequestsGet400: RFC 4475 mismatch01/02 (CSeq method is
// not the request's), multi01 (two To), scalar02 (overlarge values); each
// 400 is matched to its request.
func TestMalformedRequestsGet400(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	for name, msg := range map[string]string{
		"CSeq method mismatch":         strings.Replace(optionsWith(""), "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1),
		"unknown method, CSeq INVITE":  strings.Replace(strings.Replace(optionsWith(""), "OPTIONS sip", "NEWMETHOD sip", 1), "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1),
		"two To headers":               optionsWith("To: <sip:other@UA>"),
		"two CSeqs":                    optionsWith("CSeq: 2 OPTIONS"),
		"Max-Forwards 300":             strings.Replace(optionsWith(""), "Max-Forwards: 70", "Max-Forwards: 300", 1),
		"Expires beyond 32 bits":       optionsWith("Expires: 10000000000"),
		"INVITE without Contact":       strings.Replace(inviteWith("", "application/sdp", sdpOffer), "Contact: <sip:tester@LOCAL>\n", "", 1),
		"body without Content-Type":    strings.Replace(inviteWith("", "application/sdp", sdpOffer), "Content-Type: application/sdp\n", "", 1),
		"INVITE Contact not a SIP URI": strings.Replace(inviteWith("", "application/sdp", sdpOffer), "Contact: <sip:tester@LOCAL>", "Contact: <http://example.com/>", 1),
	} {
		t.Run(name, func(t *testing.T) {
			wantStatus(t, r.exchange(msg), 400)
		})
	}
}

// TestUnsupportedSchemeGets416: RFC 4475 §3.3.2 (unkscm).
func TestUnsupportedSchemeGets416(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	msg := strings.Replace(optionsWith(""), "OPTIONS sip:agent@UA", "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent", 1)
	wantStatus(t, r.exchange(msg), 416)
}

// TestUnknownBodyGets415: RFC 3261 §8.2.3, RFC 4475 §3.3.6 (invut): 415
// with the types we read; a body marked optional is ignored instead.
func TestUnknownBodyGets415(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	res := r.exchange(inviteWith("", "application/unknownformat", "<audio> <pcmu port=\"443\"/> </audio>\n"))
	wantStatus(t, res, 415)
	if got := headerValue(res, "Accept"); got != "application/sdp" {
		t.Errorf("Accept: %q", got)
	}
	res = r.exchange(optionsWith("Content-Type: text/x-unknown\nContent-Disposition: render;handling=optional\n\nhello"))
	wantStatus(t, res, 200)
}

// TestInviteRefusingSDPGets406: RFC 4475 §3.3.15 (sdp01): the caller
// does not accept the SDP our answer would be.
func TestInviteRefusingSDPGets406(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	wantStatus(t, r.exchange(inviteWith("Accept: text/nobodyKnowsThis", "application/sdp", sdpOffer)), 406)
}

// TestMergedInviteGets482: the same INVITE reaching us twice through a
// forking proxy (same From tag, Call-ID and CSeq, another branch) is a
// merged request (RFC 3261 §8.2.2.2): the copy gets 482, the first rings.
func TestMergedInviteGets482(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	first := inviteWith("", "application/sdp", sdpOffer)
	callID := r.send(first)
	in := nextIncoming(t, r.ua, 5*time.Second)
	copyMsg := strings.ReplaceAll(first, "CALLID", callID)
	copyMsg = strings.Replace(copyMsg, "branch=BRANCH", "branch=z9hG4bK-screen-copy", 1)
	data, _ := r.fill(copyMsg)
	if _, err := r.conn.WriteTo([]byte(data), net.UDPAddrFromAddrPort(r.ua.SIPAddr())); err != nil {
		t.Fatal(err)
	}
	res, raw := r.final(callID)
	if res.StatusCode != 482 || res.Via().Params.GetOr("branch", "") != "z9hG4bK-screen-copy" {
		t.Fatalf("copy of the INVITE: want 482 on its own branch, got\n%s", raw)
	}
	select {
	case <-in.Done():
		t.Fatalf("the first INVITE stopped ringing: %+v", in.End())
	default: // Close ends it
	}
}

// TestRequestURIWithHeadersGets400: RFC 4475 §3.1.2.11 (escruri):
// headers (?...) are not allowed in a Request-URI.
func TestRequestURIWithHeadersGets400(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	msg := strings.Replace(inviteWith("", "application/sdp", sdpOffer), "INVITE sip:agent@UA", "INVITE sip:agent@UA?Route=%3Csip:example.com%3E", 1)
	wantStatus(t, r.exchange(msg), 400)
}

// TestWhitespaceTortureIsUnderstood: RFC 3261's grammar allows blanks
// around / ; = : in Via and address headers (RFC 4475 §3.1.1.1 wsinv).
// sipgo v1.7.2 keeps them inside parameter names and values; we normalise
// them first, so the request is answered normally and the response
// carries the sender's branch and tag.
func TestWhitespaceTortureIsUnderstood(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	msg := `OPTIONS sip:agent@UA SIP/2.0
Via  : SIP  /   2.0
 /UDP
    LOCAL ; branch = BRANCH ; rport
from   : "J Rosenberg \\\""       <sip:jdrosen@example.com>
  ;
  tag = t1
TO :
 <sip:agent@UA> ;   newparam    = 1918181833n
Call-ID: CALLID
cseq: 0009
  OPTIONS
MaX-fOrWaRdS: 0068
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
m:"Quoted string \"\"" <sip:jdrosen@example.com> ; newparam =
      newvalue ;
  secondparam ; q = 0.33

`
	res := r.exchange(msg)
	wantStatus(t, res, 200)
	if got := res.To().Params.GetOr("newparam", ""); got != "1918181833n" {
		t.Errorf("To params %q", res.To().Params.String())
	}
}

// TestUnanswerableRequestIsDropped: without Call-ID no valid response
// exists (RFC 4475 §3.3.1 insuf): we drop it rather than answer a 400
// nobody can match; the next good request is answered normally.
func TestUnanswerableRequestIsDropped(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	for _, broken := range []string{
		strings.Replace(optionsWith(""), "Call-ID: CALLID\n", "", 1),
		strings.Replace(optionsWith(""), "CSeq: 1 OPTIONS\n", "", 1),
		strings.Replace(optionsWith(""), "From: <sip:tester@LOCAL>;tag=t1\n", "", 1),
		strings.Replace(optionsWith(""), "Via: SIP/2.0/UDP LOCAL;branch=BRANCH", "Via: SIP/2.0/UDP ;branch=BRANCH", 1),
		// A request line sipgo cannot read, and no Call-ID to answer with.
		strings.Replace(strings.Replace(optionsWith(""), "OPTIONS sip:agent@UA", "OPTIONS <sip:agent@UA>", 1), "Call-ID: CALLID\n", "", 1),
		strings.Replace(optionsWith(""), "From: <sip:tester@LOCAL>;tag=t1\n", "Content-Length: -1\n", 1),
		// An ACK sipgo cannot read: nothing answers an ACK.
		strings.ReplaceAll(strings.Replace(optionsWith(""), "OPTIONS sip:agent@UA", "ACK <sip:agent@UA>", 1), "1 OPTIONS", "1 ACK"),
		strings.ReplaceAll(optionsWith("Content-Length: -1"), "OPTIONS", "ACK"),
	} {
		r.send(broken)
		wantStatus(t, r.exchange(optionsWith("")), 200) // final fails on any other response first
	}
}

// TestMultipartOfferFromAGateway: PSTN gateways (SIP-I/SIP-T) send the
// offer with an ISUP message in multipart/mixed; the SDP part is the
// offer. A multipart body without SDP is a body we cannot read (415).
func TestMultipartOfferFromAGateway(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	isup := "--unique-boundary-1\nContent-Type: application/sdp\n\n" + sdpOffer +
		"\n--unique-boundary-1\nContent-Type: application/ISUP;version=itu-t92+\nContent-Disposition: signal;handling=optional\n\n\x01\x00\x49\x00\x00\x03\x02\x00\x07\x04\x10\x00\x33\x63\x21\x43\x00\x00\x03\n--unique-boundary-1--\n"
	r.send(inviteWith("MIME-Version: 1.0", "multipart/mixed;boundary=unique-boundary-1", isup))
	nextIncoming(t, r.ua, 5*time.Second) // rings; Close ends it
	noSDP := "--b\nContent-Type: text/plain\n\nhello\n--b--\n"
	wantStatus(t, newRawUAS(t).exchange(inviteWith("", "multipart/mixed; boundary=b", noSDP)), 415)
}

// TestByeWithABodyEndsTheCall: a hang-up is taken whatever body it
// carries (SIP-I gateways put the ISUP release in it), never refused 415.
func TestByeWithABodyEndsTheCall(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	calls := answerAll(t, r.ua)
	callID := r.send(inviteWith("", "application/sdp", sdpOffer))
	res, _ := r.final(callID)
	wantStatus(t, res, 200)
	toTag := res.To().Params.GetOr("tag", "")
	dialog := func(method string, cseq int, extra, body string) string {
		return fmt.Sprintf("%s sip:agent@UA SIP/2.0\nVia: SIP/2.0/UDP LOCAL;branch=BRANCH\nFrom: <sip:tester@LOCAL>;tag=t1\nTo: <sip:agent@UA>;tag=%s\nCall-ID: %s\nCSeq: %d %s\nMax-Forwards: 70\n%s\n%s",
			method, toTag, callID, cseq, method, extra, body)
	}
	r.send(dialog("ACK", 1, "", ""))
	c := <-calls // answered once the ACK arrived
	rel := "--b\nContent-Type: application/ISUP;version=itu-t92+\n\n\x0c\x02\x00\x02\x80\x90\n--b--\n"
	res = r.exchangeIn(dialog("BYE", 2, "Content-Type: multipart/mixed;boundary=b\n", rel), callID)
	wantStatus(t, res, 200)
	if end := waitDone(t, c, 5*time.Second); end.By != sip.EndedByRemote || end.Err != nil {
		t.Fatalf("end %+v", end)
	}
}
