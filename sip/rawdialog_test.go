package sip_test

import (
	"fmt"
	"strings"

	sipgo "github.com/emiago/sipgo/sip"
)

// rawDialog is a dialog the test's raw socket started with an INVITE the
// UA answered: in-dialog requests are written by hand from its 200.
type rawDialog struct {
	r      *rawUAS
	callID string
	toTag  string
	cseq   int
}

// dialogFrom takes the dialog of the UA's 200 to our INVITE (CSeq 1).
func (r *rawUAS) dialogFrom(res *sipgo.Response) *rawDialog {
	r.t.Helper()
	tag, ok := res.To().Params.Get("tag")
	if !ok {
		r.t.Fatalf("200 without a To tag:\n%s", res)
	}
	return &rawDialog{r: r, callID: res.CallID().Value(), toTag: tag, cseq: 1}
}

// request is an in-dialog request; cseq 0 takes the next number. extra
// holds header lines (ending in \n) and, after a blank line, a body.
func (d *rawDialog) request(method string, cseq int, branch, extra string) string {
	if cseq == 0 {
		d.cseq++
		cseq = d.cseq
	}
	if branch == "" {
		branch = "BRANCH"
	}
	head := fmt.Sprintf("%s sip:agent@UA SIP/2.0\nVia: SIP/2.0/UDP LOCAL;branch=%s\nFrom: <sip:tester@LOCAL>;tag=t1\nTo: <sip:agent@UA>;tag=%s\nCall-ID: %s\nCSeq: %d %s\nMax-Forwards: 70\nContact: <sip:tester@LOCAL>\n",
		method, branch, d.toTag, d.callID, cseq, method)
	if !strings.Contains(extra, "\n\n") {
		return head + extra + "\n"
	}
	return head + extra
}

// send sends an in-dialog request built by request.
func (d *rawDialog) send(method string, cseq int, branch, extra string) {
	d.r.t.Helper()
	d.r.send(d.request(method, cseq, branch, extra))
}

// ack acknowledges the 2xx to the INVITE with CSeq cseq, on a new branch
// unless branch is given (RFC 2543 peers reuse the INVITE's).
func (d *rawDialog) ack(cseq int, branch string) {
	d.r.t.Helper()
	d.send("ACK", cseq, branch, "")
}

// exchange sends an in-dialog request and returns its final response.
func (d *rawDialog) exchange(method, extra string) *sipgo.Response {
	d.r.t.Helper()
	return d.r.exchangeIn(d.request(method, 0, "", extra), d.callID)
}
