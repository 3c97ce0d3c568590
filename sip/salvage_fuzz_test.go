package sip

import (
	"errors"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// FuzzSalvageResponse: whatever bytes come in, the answer we build for an
// unreadable request is nil or a SIP/2.0 400, 416 or 505 that parses back
// with the Via, From tag, Call-ID and CSeq of the request's headers.
func FuzzSalvageResponse(f *testing.F) {
	for _, s := range []string{
		"OPTIONS <sip:a@b> SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: -1\r\n\r\n",
		"INVITE  sip:a@b  SIP/9.9\r\nv: SIP / 2.0 / UDP h ; branch = z9hG4bK2\r\nf: <sip:x@y> ; tag = 2\r\nt: <sip:a@b>\r\ni: c\r\nCSeq: 1 INVITE\r\nl: 99\r\n\r\nv=0",
		"OPTIONS soap.beep://h:1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK3\r\nFrom: <sip:x@y>;tag=3\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n folded\r\n\r\n",
		"SIP/2.0 4294967301 big\r\n\r\n",
		"ACK <sip:a@b> SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK4\r\nFrom: <sip:x@y>;tag=4\r\nTo: <sip:a@b>;tag=5\r\nCall-ID: c\r\nCSeq: 1 ACK\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	parser := newParser()
	f.Fuzz(func(t *testing.T, data []byte) {
		res := salvageResponse(parser, data, errors.New("unreadable"))
		if res == nil {
			return
		}
		back, err := parser.ParseSIP([]byte(res.String()))
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, res.String())
		}
		got, ok := back.(*sip.Response)
		if !ok || got.SipVersion != sipVersion || (got.StatusCode != 400 && got.StatusCode != 416 && got.StatusCode != 505) {
			t.Fatalf("not a SIP/2.0 400, 416 or 505:\n%s", res.String())
		}
		if got.CSeq() != nil && got.CSeq().MethodName == sip.ACK {
			t.Fatalf("an answer to an ACK:\n%s", res.String())
		}
		if v := got.Via(); v == nil || v.Host == "" || got.From() == nil || got.CallID() == nil || got.CSeq() == nil {
			t.Fatalf("an answer nobody can match:\n%s", res.String())
		}
	})
}
