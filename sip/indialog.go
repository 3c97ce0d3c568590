package sip

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// reasonPhrase is the standard text for the failure codes we send.
func reasonPhrase(code int) string {
	switch code {
	case 400:
		return "Bad Request"
	case 403:
		return "Forbidden"
	case 481:
		return "Call/Transaction Does Not Exist"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	}
	return "Rejected"
}

func respond481(tx sip.ServerTransaction, req *sip.Request) {
	respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
}

func (u *UA) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if c := u.callFor(req); c != nil {
		c.takeAck(req, tx)
	}
}

func (u *UA) onBye(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		respond481(tx, req)
		return
	}
	c.awaitConfirmed() // the ACK sent before it is taken first
	var err error
	if c.uac != nil {
		err = c.uac.ReadBye(req, tx)
	} else {
		err = c.uas.ReadBye(req, tx)
	}
	if err != nil {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	c.mu.Lock()
	if !c.outbound && c.okSent && c.answered.IsZero() {
		c.answered = c.ua.clock.Now() // it had our 200 and hung up before its ACK reached us
	}
	c.mu.Unlock()
	c.finish(EndedByRemote, nil)
}

// onCancel sees only CANCELs that match no INVITE transaction; the
// transaction layer answers the others.
func (u *UA) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	respond481(tx, req)
}

func (u *UA) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	respond(tx, req, sip.StatusOK, "OK",
		sip.NewHeader("Allow", u.allowValue()),
		sip.NewHeader("Supported", supportedValue()),
		sip.NewHeader("Accept", sdpType))
}

// dialog is the sipgo dialog state shared by both roles.
func (c *Call) dialog() interface {
	ReadRequest(*sip.Request, sip.ServerTransaction) error
} {
	if c.uac != nil {
		return &c.uac.Dialog
	}
	return &c.uas.Dialog
}

// sendInfoDTMF sends one key as SIP INFO application/dtmf-relay.
func (c *Call) sendInfoDTMF(ctx context.Context, d rune) error {
	req := sip.NewRequest(sip.INFO, c.remoteTarget())
	req.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	req.SetBody([]byte(fmt.Sprintf("Signal=%c\r\nDuration=160\r\n", d)))
	res, err := c.doInDialog(ctx, req)
	if err != nil {
		return err
	}
	if !res.IsSuccess() {
		return fmt.Errorf("the other side refused DTMF by SIP INFO: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	return nil
}

// onInfo accepts DTMF sent as SIP INFO (application/dtmf-relay or application/dtmf).
func (u *UA) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		respond481(tx, req)
		return
	}
	if c.monitorInfo(req, tx) {
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	digit, ok := rune(0), false
	switch {
	case strings.HasPrefix(ct, "application/dtmf-relay"):
		digit, ok = parseDTMFRelay(req.Body())
	case strings.HasPrefix(ct, "application/dtmf"):
		digit, ok = parseDTMFKey(strings.TrimSpace(string(req.Body())))
	case len(req.Body()) == 0:
		respond(tx, req, sip.StatusOK, "OK") // INFO as a keepalive
		return
	default:
		respond(tx, req, sip.StatusUnsupportedMediaType, "Unsupported Media Type",
			sip.NewHeader("Accept", "application/dtmf-relay, application/dtmf"))
		return
	}
	if !ok {
		respond(tx, req, sip.StatusBadRequest, "Bad DTMF")
		return
	}
	respond(tx, req, sip.StatusOK, "OK")
	c.gotDTMF(digit)
}

func parseDTMFRelay(body []byte) (rune, bool) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		k, v, found := strings.Cut(sc.Text(), "=")
		if found && strings.EqualFold(strings.TrimSpace(k), "signal") {
			return parseDTMFKey(strings.TrimSpace(v))
		}
	}
	return 0, false
}

// parseDTMFKey accepts "5", "*", "#", "A" or the event numbers 10-15.
func parseDTMFKey(v string) (rune, bool) {
	const keys = "0123456789*#ABCD"
	if len(v) == 1 && strings.ContainsRune(keys, rune(strings.ToUpper(v)[0])) {
		return rune(strings.ToUpper(v)[0]), true
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(keys) {
		return rune(keys[n]), true
	}
	return 0, false
}

// Transfer sends a blind transfer (REFER) to target and waits for the
// target's final answer, reported by NOTIFY. On success we hang up.
func (c *Call) Transfer(ctx context.Context, target string) error {
	if c.isDone() {
		return ErrCallEnded
	}
	uri, err := c.ua.ParseTarget(target)
	if err != nil {
		return err
	}
	req := sip.NewRequest(sip.REFER, c.remoteTarget())
	req.AppendHeader(sip.NewHeader("Refer-To", "<"+uri.String()+">"))
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+c.ua.AOR()+">"))
	res, err := c.doInDialog(ctx, req)
	if err != nil {
		return fmt.Errorf("transfer to %s: %w", uri.String(), err)
	}
	if res.StatusCode != sip.StatusAccepted && res.StatusCode != sip.StatusOK {
		return fmt.Errorf("the other side refused the transfer: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	wait, cancel := context.WithTimeout(ctx, transferTimeout)
	defer cancel()
	for {
		select {
		case p := <-c.transfer:
			if p.Code < 200 {
				continue
			}
			if p.Code >= 300 {
				return fmt.Errorf("transfer to %s failed: %w", uri.String(), &StatusError{Code: p.Code, Reason: p.Reason})
			}
			c.mu.Lock()
			c.end.Transferred = true
			c.mu.Unlock()
			if err := c.Hangup(ctx); err != nil && !errors.Is(err, ErrCallEnded) {
				c.log.Warn("hanging up after transfer", "error", err)
			}
			return nil
		case <-c.done:
			// The transferee may hang up on us as soon as the target answers.
			c.mu.Lock()
			c.end.Transferred = true
			c.mu.Unlock()
			return nil
		case <-wait.Done():
			return fmt.Errorf("transfer to %s: no final answer from the target within %s; the call is still yours", uri.String(), transferTimeout)
		}
	}
}

// transferTimeout bounds how long we wait for a transfer target to answer.
const transferTimeout = 60 * time.Second

// onNotify takes the REFER progress reports (message/sipfrag).
func (u *UA) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	c := u.callFor(req)
	if c == nil {
		// PBXs send voicemail indications (RFC 3842) unsolicited; accept them
		// rather than have them retried.
		if ev := req.GetHeader("Event"); ev != nil && strings.HasPrefix(strings.ToLower(ev.Value()), "message-summary") {
			respond(tx, req, sip.StatusOK, "OK")
			return
		}
		respond481(tx, req)
		return
	}
	respond(tx, req, sip.StatusOK, "OK")
	code, reason, ok := parseSipfrag(req.Body())
	if !ok {
		return
	}
	p := TransferProgress{Code: code, Reason: reason}
	c.emit(p)
	select {
	case c.transfer <- p:
	default:
	}
}

// parseSipfrag reads the status line "SIP/2.0 200 OK" of a sipfrag body.
func parseSipfrag(body []byte) (int, string, bool) {
	line, _, _ := strings.Cut(string(body), "\n")
	fields := strings.SplitN(strings.TrimSpace(line), " ", 3)
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "SIP/") {
		return 0, "", false
	}
	code, err := strconv.Atoi(fields[1])
	if err != nil {
		return 0, "", false
	}
	reason := ""
	if len(fields) == 3 {
		reason = fields[2]
	}
	return code, reason, true
}
