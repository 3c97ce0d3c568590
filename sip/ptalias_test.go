package sip_test

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/homeshore/homeshore/sip"
)

// rawCallee is a callee on a raw UDP socket: it answers one INVITE with
// the SDP the test writes and answers the BYE.
type rawCallee struct {
	t    *testing.T
	conn net.PacketConn
}

func newRawCallee(t *testing.T) *rawCallee {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawCallee{t: t, conn: conn}
}

func (rc *rawCallee) uri() string { return "sip:callee@" + rc.conn.LocalAddr().String() }

// read returns the next request and where it came from.
func (rc *rawCallee) read(method string) (string, net.Addr) {
	rc.t.Helper()
	_ = rc.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 65535)
	for {
		n, from, err := rc.conn.ReadFrom(buf)
		if err != nil {
			rc.t.Fatalf("no %s came: %v", method, err)
		}
		if msg := string(buf[:n]); strings.HasPrefix(msg, method+" ") {
			return msg, from
		}
	}
}

var headerLine = regexp.MustCompile(`(?m)^(Via|From|To|Call-ID|CSeq):[^\r\n]*\r\n`)

// respond answers req with code; body, when set, is SDP.
func (rc *rawCallee) respond(req string, to net.Addr, code int, body string) {
	rc.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d Whatever\r\n", code)
	for _, h := range headerLine.FindAllString(req, -1) {
		if strings.HasPrefix(h, "To:") && !strings.Contains(h, "tag=") {
			h = strings.TrimSuffix(h, "\r\n") + ";tag=callee1\r\n"
		}
		b.WriteString(h)
	}
	fmt.Fprintf(&b, "Contact: <sip:callee@%s>\r\n", rc.conn.LocalAddr())
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	if _, err := rc.conn.WriteTo([]byte(b.String()), to); err != nil {
		rc.t.Fatal(err)
	}
}

// TestRenumberedAnswerIsHeard: the answer renumbers our dynamic payload
// types (PCMU on 96, telephone-event on 100 where we offered 0 and 101).
// We send with its numbers; it sends with ours, as RFC 3264 §5.1 says.
// We dropped all of it as the wrong payload type: no sound, no keys.
func TestRenumberedAnswerIsHeard(t *testing.T) {
	t.Parallel()
	rc := newRawCallee(t)
	rtpConn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rtpConn.Close()
	ua := newUA(t, sip.Config{Codecs: codecList(t, "pcmu")})
	audio, _ := fileAudio(t, "")
	c, err := ua.Dial(ctxFor(t, 10*time.Second), rc.uri(), audio)
	if err != nil {
		t.Fatal(err)
	}
	invite, from := rc.read("INVITE")
	_, offerText, _ := strings.Cut(invite, "\r\n\r\n")
	offer, err := sip.ParseSDP([]byte(offerText))
	if err != nil {
		t.Fatal(err)
	}
	ours := offer.Streams[0]
	if len(ours.Codecs) == 0 || ours.Codecs[0].PayloadType != 0 || len(ours.DTMF) == 0 {
		t.Fatalf("offer %+v, want PCMU on 0 and telephone-event", ours)
	}
	dtmfPT := ours.DTMF[0].PayloadType
	port := rtpConn.LocalAddr().(*net.UDPAddr).Port
	answer := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 96 100\r\na=rtpmap:96 PCMU/8000\r\na=rtpmap:100 telephone-event/8000\r\na=fmtp:100 0-15\r\n", port)
	rc.respond(invite, from, 200, answer)
	rc.read("ACK")
	if err := c.WaitAnswered(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatal(err)
	}
	// Our packets go out with the answer's numbers.
	buf := make([]byte, 1500)
	_ = rtpConn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := rtpConn.ReadFrom(buf)
	var sent rtp.Packet
	if err != nil || sent.Unmarshal(buf[:n]) != nil || sent.PayloadType != 96 {
		t.Fatalf("our RTP: pt %d, err %v; want pt 96, the answer's", sent.PayloadType, err)
	}
	// Theirs come with our offer's numbers.
	to := net.UDPAddrFromAddrPort(netip.AddrPortFrom(ours.Addr.Addr(), ours.Addr.Port()))
	send := func(p rtp.Packet) {
		data, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rtpConn.WriteTo(data, to); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		send(rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(100 + i), Timestamp: uint32(160 * i), SSRC: 7}, Payload: make([]byte, 160)})
	}
	for i := range 3 {
		ev := []byte{5, 10, 0, byte(160 * (i + 1))}
		if i == 2 {
			ev[1] |= 0x80 // end
		}
		send(rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: dtmfPT, SequenceNumber: uint16(110 + i), Timestamp: 1600, SSRC: 7, Marker: i == 0}, Payload: ev})
	}
	got := waitCallEvent(t, c, 5*time.Second, func(e sip.CallEvent) bool { _, ok := e.(sip.DTMFReceived); return ok })
	if d := got.(sip.DTMFReceived).Digit; d != '5' {
		t.Fatalf("digit %q, want 5", d)
	}
	if st := c.Stats(); st.PacketsReceived < 10 {
		t.Fatalf("%d audio packets taken, want the 10 sent with our offer's payload type", st.PacketsReceived)
	}
	hungUp := make(chan error, 1)
	go func() { hungUp <- c.Hangup(ctxFor(t, 5*time.Second)) }()
	bye, from := rc.read("BYE")
	rc.respond(bye, from, 200, "")
	if err := <-hungUp; err != nil {
		t.Fatal(err)
	}
}
