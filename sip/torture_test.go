package sip_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
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
	files, err := filepath.Glob("testdata/rfc4475/*/*.dat")
	if err != nil || len(files) != len(tortureWant) {
		t.Fatalf("%d torture messages, %d expectations (%v)", len(files), len(tortureWant), err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.ToSlash(f), "testdata/rfc4475/"), ".dat")
		want, ok := tortureWant[name]
		if !ok {
			t.Fatalf("no expectation for %s", name)
		}
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			conn, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			local := conn.LocalAddr().String()
			msg := aimAt(data, "UDP", local)
			to := net.UDPAddrFromAddrPort(ua.SIPAddr())
			if _, err := conn.WriteTo(msg, to); err != nil {
				t.Fatal(err)
			}
			probe := fmt.Sprintf("OPTIONS sip:agent@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-probe\r\nFrom: <sip:t@%s>;tag=p\r\nTo: <sip:agent@%s>\r\nCall-ID: probe-%s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
				ua.SIPAddr(), local, local, ua.SIPAddr(), name)
			if _, err := conn.WriteTo([]byte(probe), to); err != nil {
				t.Fatal(err)
			}
			head, _, _ := strings.Cut(string(msg), "\r\n\r\n")
			// The response copies one of each (multi01 has two).
			callIDs, cseqs := map[string]bool{}, map[uint64]bool{}
			for _, m := range callIDLine.FindAllStringSubmatch(head, -1) {
				callIDs[m[1]] = true
			}
			for _, m := range cseqLine.FindAllStringSubmatch(head, -1) {
				n, _ := strconv.ParseUint(m[1], 10, 32)
				cseqs[n] = true
			}
			var branch string
			if m := branchOf.FindStringSubmatch(topVia(head)); m != nil {
				branch = m[1]
			}
			probed, answered := false, want == 0
			buf := make([]byte, 65535)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			for !probed || !answered {
				n, _, err := conn.ReadFrom(buf)
				if err != nil {
					t.Fatalf("probe answered %v, torture answered %v: %v", probed, answered, err)
				}
				raw := string(buf[:n])
				parsed, err := sipgo.ParseMessage(buf[:n])
				if err != nil {
					t.Fatalf("we sent what sipgo cannot parse: %v\n%s", err, raw)
				}
				res, ok := parsed.(*sipgo.Response)
				if !ok {
					t.Fatalf("we sent a request:\n%s", raw)
				}
				if res.CallID() != nil && res.CallID().Value() == "probe-"+name {
					if res.StatusCode == 200 {
						probed = true
					}
					continue
				}
				if want == 0 {
					t.Fatalf("answered what we should drop:\n%s", raw)
				}
				if !strings.HasPrefix(raw, "SIP/2.0 ") {
					t.Fatalf("status line is not SIP/2.0:\n%s", raw)
				}
				via := res.Via()
				if via == nil || via.Host+":"+fmt.Sprint(via.Port) != local || via.Params.GetOr("branch", "") != branch {
					t.Fatalf("top Via is not the request's (%s, branch %q):\n%s", local, branch, raw)
				}
				if res.CallID() == nil || !callIDs[res.CallID().Value()] || res.CSeq() == nil || !cseqs[uint64(res.CSeq().SeqNo)] {
					t.Fatalf("Call-ID or CSeq is not the request's (%v, %v):\n%s", callIDs, cseqs, raw)
				}
				if res.StatusCode == 100 || (res.StatusCode != want && want == 180 && res.IsProvisional()) {
					continue
				}
				if res.StatusCode != want {
					t.Fatalf("got %d, want %d:\n%s", res.StatusCode, want, raw)
				}
				answered = true
			}
		})
	}
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
