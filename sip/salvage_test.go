package sip_test

import (
	"strings"
	"testing"
)

// TestUnreadableRequestsAreAnswered: requests sipgo cannot parse at all
// (a request line with <> or extra blanks, another protocol, a negative
// or overlong Content-Length, a URI scheme it does not know) were
// dropped without a word, and the sender retransmitted for 32 s. RFC 4475
// §3.1.2 wants a 400 (505, 416) wherever a response can be built: each
// comes back matched to its request.
func TestUnreadableRequestsAreAnswered(t *testing.T) {
	t.Parallel()
	r := newRawUAS(t)
	opts := optionsWith("")
	for _, tc := range []struct {
		name string
		msg  string
		code int
	}{
		{"Request-URI in <> (ltgtruri)", strings.Replace(opts, "OPTIONS sip:agent@UA", "OPTIONS <sip:agent@UA>", 1), 400},
		{"blanks in the request line (lwsstart)", strings.Replace(opts, "OPTIONS sip:agent@UA SIP/2.0", "OPTIONS  sip:agent@UA  SIP/2.0", 1), 400},
		{"trailing blanks (trws)", strings.Replace(opts, "SIP/2.0\n", "SIP/2.0  \n", 1), 400},
		{"blank inside the Request-URI (lwsruri)", strings.Replace(opts, "sip:agent@UA", "sip:agent@UA; lr", 1), 400},
		{"another protocol", strings.Replace(opts, "SIP/2.0\n", "HTTP/1.1\n", 1), 400},
		{"negative Content-Length (ncl)", optionsWith("Content-Length: -999"), 400},
		{"Content-Length beyond the datagram (clerr)", optionsWith("Content-Length: 9999\n\nv=0"), 400},
		{"unknown scheme sipgo cannot read (novelsc)", strings.Replace(opts, "sip:agent@UA", "soap.beep://192.0.2.103:3002", 1), 416},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := *r
			sub.t = t // its failures are the subtest's
			res := sub.exchange(tc.msg)
			wantStatus(t, res, tc.code)
			if w := headerValue(res, "Warning"); tc.code == 400 && !strings.HasPrefix(w, "399 ") {
				t.Errorf("400 without a Warning saying why: %q", w)
			}
		})
	}
	// Still answering.
	wantStatus(t, r.exchange(opts), 200)
}
