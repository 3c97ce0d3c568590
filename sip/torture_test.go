package sip_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	sipgo "github.com/emiago/sipgo/sip"

	"github.com/homeshore/homeshore/sip"
)

// topViaSentBy is the transport and sent-by of a Via value, blanks and
// folds allowed around the slashes (RFC 4475 wsinv folds them).
var topViaSentBy = regexp.MustCompile(`(?s)^(\s*SIP\s*/\s*[0-9.]+\s*/\s*)([A-Za-z]+)(\s+)([^\s;,:]+(?:\s*:\s*\d+)?)`)

// aimAt rewrites the top Via of a torture message so its answer comes to
// local over transport; every other byte stays as the RFC has it.
func aimAt(data []byte, transport, local string) []byte {
	lines := strings.SplitAfter(string(data), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			break // end of the headers
		}
		name, _, ok := strings.Cut(l, ":")
		if n := strings.ToLower(strings.TrimSpace(name)); !ok || (n != "via" && n != "v") {
			continue
		}
		end := i + 1
		for end < len(lines) && (strings.HasPrefix(lines[end], " ") || strings.HasPrefix(lines[end], "\t")) {
			end++
		}
		header := strings.Join(lines[i:end], "")
		colon := strings.Index(header, ":") + 1
		value := topViaSentBy.ReplaceAllString(header[colon:], "${1}"+transport+"${3}"+local)
		return []byte(strings.Join(lines[:i], "") + header[:colon] + value + strings.Join(lines[end:], ""))
	}
	return data
}

// tortureWant is what our UA answers to each RFC 4475 message: a status
// code (180: the call rings), or 0 for nothing (a response it never
// asked for, or a request too broken to build a response anyone could
// match). RFC 4475 asks for a 400 for some of the 0s; sipgo cannot parse
// them (see each), so no response can be built from what it read.
var tortureWant = map[string]int{
	"valid/dblreq":       405, // REGISTER: we are no registrar
	"valid/esc01":        180,
	"valid/esc02":        501,
	"valid/escnull":      405,
	"valid/intmeth":      501,
	"valid/longreq":      180,
	"valid/lwsdisp":      200,
	"valid/mpart01":      405, // MESSAGE
	"valid/noreason":     0,   // a response
	"valid/semiuri":      200,
	"valid/transports":   200,
	"valid/unreason":     0,   // a response
	"valid/wsinv":        481, // an INVITE with a To tag: no such dialog
	"invalid/badaspec":   0,   // To: < sip:... >: sipgo "invalid uri scheme"
	"invalid/badbranch":  200, // the bare magic cookie is a legal branch
	"invalid/baddate":    180, // a Date we do not read
	"invalid/baddn":      0,   // display name with a comma, unquoted: sipgo "missing protocol scheme"
	"invalid/badinv01":   0,   // Via: SIP/2.0/UDP 192.0.2.15;;,;,,
	"invalid/badvers":    505,
	"invalid/bcast":      0, // a response
	"invalid/bext01":     420,
	"invalid/bigcode":    0, // a response
	"invalid/clerr":      400,
	"invalid/cparam01":   405,
	"invalid/cparam02":   405,
	"invalid/escruri":    400,
	"invalid/insuf":      0, // no Call-ID, From, Max-Forwards
	"invalid/inv2543":    400,
	"invalid/invut":      415,
	"invalid/ltgtruri":   400,
	"invalid/lwsruri":    400,
	"invalid/lwsstart":   400,
	"invalid/mcl01":      400,
	"invalid/mismatch01": 400,
	"invalid/mismatch02": 400,
	"invalid/multi01":    400,
	"invalid/ncl":        400,
	"invalid/novelsc":    416,
	"invalid/quotbal":    0, // To with an unterminated quote: sipgo "invalid uri display name inside quotes"
	"invalid/regaut01":   405,
	"invalid/regbadct":   405,
	"invalid/regescrt":   405,
	"invalid/scalar02":   0, // CSeq beyond 2^32: sipgo "value out of range"
	"invalid/scalarlg":   0, // a response
	"invalid/sdp01":      406,
	"invalid/trws":       400,
	"invalid/unkscm":     416,
	"invalid/unksm2":     405,
	"invalid/zeromf":     200, // Max-Forwards 0 is for proxies; a UAS answers
}

var (
	callIDLine = regexp.MustCompile(`(?im)^(?:call-id|i)[ \t]*:[ \t]*(\S+)`)
	cseqLine   = regexp.MustCompile(`(?im)^cseq[ \t]*:\s*(\d+)`)
	branchOf   = regexp.MustCompile(`branch\s*=\s*([^\s;,]+)`)
)

// TestRFC4475Torture sends every RFC 4475 torture message over UDP, each
// from its own socket, and checks our UA answers as tortureWant says,
// with a response its sender can match (SIP/2.0, the request's top Via
// sent-by and branch, Call-ID and CSeq), or not at all; and that it still
// answers an OPTIONS from the same socket afterwards.
func TestRFC4475Torture(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{})
	parent := t
	for name, data := range tortureMessages(t) {
		t.Run(name, func(t *testing.T) {
			conn, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			// Open until the end: a port used again would be a
			// retransmission of the same branch to the UA.
			parent.Cleanup(func() { conn.Close() })
			c := newTortureCase(name, data, "UDP", conn.LocalAddr().String(), tortureWant[name])
			to := net.UDPAddrFromAddrPort(ua.SIPAddr())
			for _, m := range [][]byte{c.msg, c.probe(ua)} {
				if _, err := conn.WriteTo(m, to); err != nil {
					t.Fatal(err)
				}
			}
			buf := make([]byte, 65535)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			for !c.done() {
				n, _, err := conn.ReadFrom(buf)
				if err != nil {
					t.Fatalf("probe answered %v, torture answered %v: %v", c.probed, c.answered, err)
				}
				msg, err := sipgo.ParseMessage(buf[:n])
				if err != nil {
					t.Fatalf("we sent what sipgo cannot parse: %v\n%s", err, buf[:n])
				}
				c.check(t, msg, string(buf[:n]))
			}
		})
	}
}

// tcpCloses are the torture messages sipgo's stream parser fails on over
// TCP: it closes the connection unanswered (a stream has no boundary to
// resync on), where over UDP we answer those we can (salvage.go).
// inv2543 was written for UDP: it has no Content-Length, which a stream
// must have (RFC 3261 §20.14).
var tcpCloses = map[string]bool{
	"invalid/badaspec": true, "invalid/baddn": true, "invalid/badinv01": true,
	"invalid/bigcode": true, "invalid/inv2543": true, "invalid/ltgtruri": true, "invalid/lwsruri": true,
	"invalid/lwsstart": true, "invalid/mcl01": true, "invalid/ncl": true, "invalid/novelsc": true,
	"invalid/quotbal": true, "invalid/scalar02": true, "invalid/scalarlg": true, "invalid/trws": true,
}

// TestRFC4475TortureOverTCP: the same messages on TCP connections. Each
// is answered as over UDP, or its connection is closed without an answer
// (tcpCloses); nothing crashes and a new connection is served after.
// Left out, as written for UDP: clerr, whose Content-Length runs past its
// end (a stream rightly waits for the rest), and dblreq, a request with a
// second one after it, which over a stream is parsed too and whose
// Content-Length runs into our probe.
func TestRFC4475TortureOverTCP(t *testing.T) {
	t.Parallel()
	ua := newUA(t, sip.Config{Transport: sip.TransportTCP})
	parent := t
	for name, data := range tortureMessages(t) {
		if name == "invalid/clerr" || name == "valid/dblreq" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", ua.SIPAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			parent.Cleanup(func() { conn.Close() })
			want := tortureWant[name]
			if tcpCloses[name] {
				want = 0
			}
			c := newTortureCase(name, data, "TCP", conn.LocalAddr().String(), want)
			if _, err := conn.Write(append(c.msg, c.probe(ua)...)); err != nil {
				t.Fatal(err)
			}
			stream := sipgo.NewParser().NewSIPStream()
			buf := make([]byte, 65535)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			for !c.done() {
				n, err := conn.Read(buf)
				if err := stream.ParseSIPStream(buf[:n], func(msg sipgo.Message) { c.check(t, msg, msg.String()) }); err != nil && !errors.Is(err, sipgo.ErrParseSipPartial) {
					t.Fatalf("we sent what sipgo cannot parse: %v\n%s", err, buf[:n])
				}
				if (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) && tcpCloses[name] && !c.probed {
					return // closed, unanswered
				}
				if err != nil {
					t.Fatalf("probe answered %v, torture answered %v: %v", c.probed, c.answered, err)
				}
			}
			if tcpCloses[name] {
				t.Fatalf("%s was answered over TCP: update tcpCloses", name)
			}
		})
	}
}

// tortureMessages are the RFC 4475 messages by name (valid/wsinv...),
// each with an expectation in tortureWant.
func tortureMessages(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/rfc4475/*/*.dat")
	if err != nil || len(files) != len(tortureWant) {
		t.Fatalf("%d torture messages, %d expectations (%v)", len(files), len(tortureWant), err)
	}
	msgs := make(map[string][]byte, len(files))
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(f), "testdata/rfc4475/"), ".dat")
		if _, ok := tortureWant[name]; !ok {
			t.Fatalf("no expectation for %s", name)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		msgs[name] = data
	}
	return msgs
}

// tortureCase is one message aimed at a test socket, what the response
// to it must carry, and what has come back so far.
type tortureCase struct {
	name, transport, local, branch string
	msg                            []byte
	callIDs                        map[string]bool
	cseqs                          map[uint64]bool
	want                           int
	probed, answered               bool
}

func newTortureCase(name string, data []byte, transport, local string, want int) *tortureCase {
	c := &tortureCase{name: name, transport: transport, local: local, want: want, answered: want == 0,
		msg: aimAt(data, transport, local), callIDs: map[string]bool{}, cseqs: map[uint64]bool{}}
	head, _, _ := strings.Cut(string(c.msg), "\r\n\r\n")
	// The response copies one of each (multi01 has two).
	for _, m := range callIDLine.FindAllStringSubmatch(head, -1) {
		c.callIDs[m[1]] = true
	}
	for _, m := range cseqLine.FindAllStringSubmatch(head, -1) {
		n, _ := strconv.ParseUint(m[1], 10, 32)
		c.cseqs[n] = true
	}
	if m := branchOf.FindStringSubmatch(topVia(head)); m != nil {
		c.branch = m[1]
	}
	return c
}

// probe is an OPTIONS sent after the torture message from the same socket.
func (c *tortureCase) probe(ua *sip.UA) []byte {
	return []byte(fmt.Sprintf("OPTIONS sip:agent@%s SIP/2.0\r\nVia: SIP/2.0/%s %s;branch=z9hG4bK-probe-%s\r\nFrom: <sip:t@%s>;tag=p\r\nTo: <sip:agent@%s>\r\nCall-ID: probe-%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		ua.SIPAddr(), c.transport, c.local, strings.ReplaceAll(c.name, "/", "-"), c.local, ua.SIPAddr(), c.name))
}

// done: the probe has its 200 and the torture message what it wants.
func (c *tortureCase) done() bool { return c.probed && c.answered }

// check judges one message that came back.
func (c *tortureCase) check(t *testing.T, msg sipgo.Message, raw string) {
	t.Helper()
	res, ok := msg.(*sipgo.Response)
	if !ok {
		t.Fatalf("we sent a request:\n%s", raw)
	}
	if res.CallID() != nil && res.CallID().Value() == "probe-"+c.name {
		c.probed = c.probed || res.StatusCode == 200
		return
	}
	if c.want == 0 {
		t.Fatalf("answered what we should drop:\n%s", raw)
	}
	if res.SipVersion != "SIP/2.0" {
		t.Fatalf("status line is not SIP/2.0:\n%s", raw)
	}
	via := res.Via()
	if via == nil || via.Host+":"+strconv.Itoa(via.Port) != c.local || via.Params.GetOr("branch", "") != c.branch {
		t.Fatalf("top Via is not the request's (%s, branch %q):\n%s", c.local, c.branch, raw)
	}
	if res.CallID() == nil || !c.callIDs[res.CallID().Value()] || res.CSeq() == nil || !c.cseqs[uint64(res.CSeq().SeqNo)] {
		t.Fatalf("Call-ID or CSeq is not the request's (%v, %v):\n%s", c.callIDs, c.cseqs, raw)
	}
	if res.StatusCode > 100 && (res.To() == nil || !res.To().Params.Has("tag")) {
		t.Fatalf("a %d without a To tag (RFC 3261 §8.2.6.2):\n%s", res.StatusCode, raw)
	}
	if res.StatusCode == 100 || (c.want == 180 && res.IsProvisional()) {
		c.answered = c.answered || res.StatusCode == 180
		return
	}
	if res.StatusCode != c.want {
		t.Fatalf("got %d, want %d:\n%s", res.StatusCode, c.want, raw)
	}
	c.answered = true
}

// topVia is the first Via header of head, with its folds.
func topVia(head string) string {
	lines := strings.Split(head, "\r\n")
	for i, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		if n := strings.ToLower(strings.TrimSpace(name)); n == "via" || n == "v" {
			end := i + 1
			for end < len(lines) && (strings.HasPrefix(lines[end], " ") || strings.HasPrefix(lines[end], "\t")) {
				end++
			}
			return strings.Join(lines[i:end], "\r\n")
		}
	}
	return ""
}
