package testenv

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rawSIP is a bare SIP-over-TCP client for checking Kamailio's handling of
// clients that, like many UAs, put a port nobody listens on in Via and
// Contact and expect requests back over their own connection.
type rawSIP struct {
	conn net.Conn
	r    *bufio.Reader
}

type sipMessage struct {
	start   string
	headers textproto.MIMEHeader
	raw     string
}

func (c *rawSIP) send(t *testing.T, msg string) {
	t.Helper()
	msg = strings.ReplaceAll(msg, "\n", "\r\n")
	if _, err := c.conn.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
}

func (c *rawSIP) read(t *testing.T) sipMessage {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewReader(c.r)
	start, err := tp.ReadLine()
	if err != nil {
		t.Fatalf("read SIP start line: %v", err)
	}
	h, err := tp.ReadMIMEHeader()
	if err != nil {
		t.Fatalf("read SIP headers: %v", err)
	}
	var n int
	fmt.Sscan(h.Get("Content-Length"), &n)
	body := make([]byte, n)
	if _, err := c.r.Read(body); n > 0 && err != nil {
		t.Fatal(err)
	}
	return sipMessage{start: start, headers: h, raw: start + "\n" + fmt.Sprint(h)}
}

var digestParam = regexp.MustCompile(`(\w+)="?([^",]*)"?`)

// digestAuthorization answers a WWW-Authenticate challenge (qop=auth).
func digestAuthorization(challenge, user, password, method, uri string) string {
	p := map[string]string{}
	for _, m := range digestParam.FindAllStringSubmatch(strings.TrimPrefix(challenge, "Digest "), -1) {
		p[m[1]] = m[2]
	}
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := h(user + ":" + p["realm"] + ":" + password)
	ha2 := h(method + ":" + uri)
	const nc, cnonce = "00000001", "0a4f113b"
	resp := h(ha1 + ":" + p["nonce"] + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, qop=auth, nc=%s, cnonce="%s"`,
		user, p["realm"], p["nonce"], uri, resp, nc, cnonce)
}

// TestKamailioReachesTCPClientOverItsConnection registers over TCP with a
// Via/Contact port nobody listens on, then has baresip call that user: the
// INVITE must come back over the registering connection.
func TestKamailioReachesTCPClientOverItsConnection(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, map[string]string{"carol": "carol-pw", "alice": "alice-pw"})
	conn, err := net.Dial("tcp", k.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &rawSIP{conn: conn, r: bufio.NewReader(conn)}
	const deadPort = 9 // discard: nothing listens there
	register := func(cseq int, auth string) {
		c.send(t, fmt.Sprintf(`REGISTER sip:%s SIP/2.0
Via: SIP/2.0/TCP 127.0.0.1:%d;branch=z9hG4bK-reg%d;rport
Max-Forwards: 70
From: <sip:carol@%s>;tag=reg
To: <sip:carol@%s>
Call-ID: tcp-register-test
CSeq: %d REGISTER
Contact: <sip:carol@127.0.0.1:%d;transport=tcp>
Expires: 60
%sContent-Length: 0

`, k.Addr(), deadPort, cseq, k.Addr(), k.Addr(), cseq, deadPort, auth))
	}
	register(1, "")
	challenge := c.read(t)
	if !strings.HasPrefix(challenge.start, "SIP/2.0 401") {
		t.Fatalf("first REGISTER got %q; want 401", challenge.start)
	}
	auth := digestAuthorization(challenge.headers.Get("Www-Authenticate"), "carol", "carol-pw", "REGISTER", "sip:"+k.Addr())
	register(2, "Authorization: "+auth+"\n")
	if ok := c.read(t); !strings.HasPrefix(ok.start, "SIP/2.0 200") {
		t.Fatalf("authenticated REGISTER got %q; want 200", ok.start)
	}

	alice := StartBaresip(t, BaresipOptions{AOR: k.AOR("alice"), Password: "alice-pw"})
	command(t, alice, "/dial "+k.AOR("carol"))
	invite := c.read(t)
	if !strings.HasPrefix(invite.start, "INVITE sip:carol@127.0.0.1:9") {
		t.Fatalf("got %q over the registering connection; want the INVITE to carol", invite.start)
	}
	// Refuse it, so the call ends cleanly.
	h := invite.headers
	var vias string
	for _, v := range h.Values("Via") {
		vias += "Via: " + v + "\n"
	}
	c.send(t, fmt.Sprintf(`SIP/2.0 486 Busy Here
%sFrom: %s
To: %s;tag=busy
Call-ID: %s
CSeq: %s
Content-Length: 0

`, vias, h.Get("From"), h.Get("To"), h.Get("Call-Id"), h.Get("Cseq")))
	closed := waitEvent(t, alice, EventCallClosed)
	if !strings.Contains(closed.Param, "486") {
		t.Errorf("alice's call closed with %q; want 486", closed.Param)
	}
}
