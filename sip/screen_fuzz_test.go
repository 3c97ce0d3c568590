package sip

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// FuzzScreenRequest runs arbitrary bytes through our parser and the UAS
// checks: nothing panics, and whatever we would answer parses back as a
// SIP/2.0 response carrying the request's branch, From tag and Call-ID,
// so the sender can match it.
func FuzzScreenRequest(f *testing.F) {
	for _, s := range []string{
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h:5060;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
		"INVITE sip:a@b SIP/9.9\r\nVia: SIP / 2.0 / UDP h ; branch = z9hG4bK2\r\nFrom: <sip:x@y> ; tag = 2\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nRequire: foo\r\nContent-Type: application/x\r\nContent-Length: 2\r\n\r\nhi",
		"NEWMETHOD sip:a@b SIP/2.0\r\nv: SIP/2.0/TCP h;branch=z9hG4bK3,SIP/2.0/UDP g\r\nf: x <sip:x@y>;tag=3\r\nt: <sip:a@b>\r\ni: c\r\nCSeq: 1 INVITE\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	u := &UA{}
	u.accepted = u.methods()
	parser := newParser()
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := parser.ParseSIP(data)
		if err != nil {
			return
		}
		req, ok := msg.(*sip.Request)
		if !ok || !answerable(parser, req) {
			return
		}
		m, _ := u.acceptedMethod(req.Method)
		rej := u.screen(req, m)
		code, reason := 200, "OK"
		var headers []sip.Header
		if rej != nil {
			code, reason, headers = rej.code, rej.reason, rej.headers
		}
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		res.SipVersion = sipVersion
		for _, h := range headers {
			res.AppendHeader(h)
		}
		back, err := parser.ParseSIP([]byte(res.String()))
		if err != nil {
			t.Fatalf("our %d does not parse: %v\n%s", code, err, res.String())
		}
		got, ok := back.(*sip.Response)
		if !ok || got.StatusCode != code || got.SipVersion != sipVersion {
			t.Fatalf("response does not read back as SIP/2.0 %d:\n%s", code, res.String())
		}
		if got.Via() == nil || got.Via().Params.GetOr("branch", "") != req.Via().Params.GetOr("branch", "") {
			t.Fatalf("branch lost:\n%s\nfrom request\n%s", res.String(), data)
		}
		if tagOf(got.From().Params) != tagOf(req.From().Params) || got.CallID().Value() != req.CallID().Value() {
			t.Fatalf("From tag or Call-ID lost:\n%s\nfrom request\n%s", res.String(), data)
		}
	})
}
