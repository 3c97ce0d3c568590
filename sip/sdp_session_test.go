package sip

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/media"
)

// sdpOf builds an SDP body from session-level lines (c= and a= lines,
// each put where SDP's order wants it) and m= sections.
func sdpOf(session string, sections ...string) string {
	var conn, attrs string
	for _, l := range strings.SplitAfter(session, "\r\n") {
		if strings.HasPrefix(l, "a=") {
			attrs += l
		} else {
			conn += l
		}
	}
	body := "v=0\r\no=peer 7 7 IN IP4 192.0.2.10\r\ns=-\r\n" + conn + "t=0 0\r\n" + attrs
	for _, s := range sections {
		body += s
	}
	return body
}

const (
	pcmuSection = "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
	videoH261   = "m=video 5000 RTP/AVP 31\r\na=rtpmap:31 H261/90000\r\n"
)

// TestSessionLevelAttributes: RFC 4566 §5.7/§6: session c= and direction
// apply to every stream without its own; a stream's own lines override.
// RFC 3264 §8.4: c=0.0.0.0 is the old way to hold.
func TestSessionLevelAttributes(t *testing.T) {
	c := "c=IN IP4 192.0.2.10\r\n"
	for _, tc := range []struct {
		name        string
		body        string
		theirs, our media.Direction
		addr        string
		held        bool
	}{
		{"session sendonly (hold)", sdpOf(c+"a=sendonly\r\n", pcmuSection), media.SendOnly, media.RecvOnly, "192.0.2.10:4000", true},
		{"session inactive", sdpOf(c+"a=inactive\r\n", pcmuSection), media.Inactive, media.Inactive, "192.0.2.10:4000", true},
		{"session recvonly", sdpOf(c+"a=recvonly\r\n", pcmuSection), media.RecvOnly, media.SendOnly, "192.0.2.10:4000", false},
		{"stream overrides session", sdpOf(c+"a=sendonly\r\n", pcmuSection+"a=sendrecv\r\n"), media.SendRecv, media.SendRecv, "192.0.2.10:4000", false},
		{"stream sendonly under session sendrecv", sdpOf(c+"a=sendrecv\r\n", pcmuSection+"a=sendonly\r\n"), media.SendOnly, media.RecvOnly, "192.0.2.10:4000", true},
		{"trailing blank after the attribute", sdpOf(c, pcmuSection+"a=sendonly \r\n"), media.SendOnly, media.RecvOnly, "192.0.2.10:4000", true},
		{"stream c= overrides session c=", sdpOf(c, pcmuSection+"c=IN IP4 198.51.100.7\r\n"), media.SendRecv, media.SendRecv, "198.51.100.7:4000", false},
		{"only a stream c=", sdpOf("", pcmuSection+"c=IN IP4 198.51.100.7\r\n"), media.SendRecv, media.SendRecv, "198.51.100.7:4000", false},
		{"session c=0.0.0.0", sdpOf("c=IN IP4 0.0.0.0\r\n", pcmuSection), media.SendOnly, media.RecvOnly, "0.0.0.0:4000", true},
		{"session c=0.0.0.0 and recvonly", sdpOf("c=IN IP4 0.0.0.0\r\na=recvonly\r\n", pcmuSection), media.Inactive, media.Inactive, "0.0.0.0:4000", true},
		{"stream c=0.0.0.0 under a real session c=", sdpOf(c, pcmuSection+"c=IN IP4 0.0.0.0\r\n"), media.SendOnly, media.RecvOnly, "0.0.0.0:4000", true},
		{"IPv6 unspecified", sdpOf("c=IN IP6 ::\r\n", pcmuSection), media.SendOnly, media.RecvOnly, "[::]:4000", true},
		{"multicast address with TTL", sdpOf("c=IN IP4 233.252.0.1/127\r\n", pcmuSection), media.SendRecv, media.SendRecv, "233.252.0.1:4000", false},
		{"LF line ends", strings.ReplaceAll(sdpOf(c+"a=sendonly\r\n", pcmuSection), "\r\n", "\n"), media.SendOnly, media.RecvOnly, "192.0.2.10:4000", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			offer, err := ParseSDP([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			n, err := Answer(offer, codecs(t, "pcmu"), media.SendRecv)
			if err != nil {
				t.Fatal(err)
			}
			if n.RemoteDirection != tc.theirs || n.Direction != tc.our || n.Remote.String() != tc.addr || n.RemoteHold() != tc.held {
				t.Fatalf("theirs %v ours %v remote %v held %v; want %v %v %v %v", n.RemoteDirection, n.Direction, n.Remote, n.RemoteHold(), tc.theirs, tc.our, tc.addr, tc.held)
			}
			// The same SDP as an answer to our offer reads the same way.
			a, err := AcceptAnswer(codecs(t, "pcmu"), offer, 0, media.SendRecv)
			if err != nil || a.RemoteDirection != tc.theirs || a.Direction != tc.our || a.Remote.String() != tc.addr {
				t.Fatalf("as an answer: %+v, %v", a, err)
			}
		})
	}
}

// TestAnswerKeepsEveryMediaLine: RFC 3264 §6: as many m= lines as the
// offer, in order; the ones we refuse have port 0 and their transport
// and formats as offered.
func TestAnswerKeepsEveryMediaLine(t *testing.T) {
	c := "c=IN IP4 192.0.2.10\r\n"
	g729 := "m=audio 4100 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"
	for _, tc := range []struct {
		name   string
		body   string
		stream int
		lines  []string // the answer's m= lines; "" is our audio
		proto  string   // of our audio
	}{
		{"audio and video", sdpOf(c, pcmuSection, videoH261), 0, []string{"", "m=video 0 RTP/AVP 31"}, "RTP/AVP"},
		{"video first", sdpOf(c, videoH261, pcmuSection), 1, []string{"m=video 0 RTP/AVP 31", ""}, "RTP/AVP"},
		{"second audio line", sdpOf(c, pcmuSection, strings.Replace(pcmuSection, "4000", "4002", 1)), 0, []string{"", "m=audio 0 RTP/AVP 0 101"}, "RTP/AVP"},
		{"first audio without a common codec", sdpOf(c, g729, pcmuSection), 1, []string{"m=audio 0 RTP/AVP 18", ""}, "RTP/AVP"},
		{"first audio refused by the offerer", sdpOf(c, strings.Replace(pcmuSection, "4000", "0", 1), strings.Replace(pcmuSection, "4000", "4002", 1)), 1, []string{"m=audio 0 RTP/AVP 0 101", ""}, "RTP/AVP"},
		{"DTLS audio we cannot do", sdpOf(c, "m=audio 4200 UDP/TLS/RTP/SAVPF 0\r\n", pcmuSection), 1, []string{"m=audio 0 UDP/TLS/RTP/SAVPF 0", ""}, "RTP/AVP"},
		{"BFCP application", sdpOf(c, pcmuSection, "m=application 9 TCP/BFCP *\r\n"), 0, []string{"", "m=application 0 TCP/BFCP *"}, "RTP/AVP"},
		{"T.38 image", sdpOf(c, pcmuSection, "m=image 4300 udptl t38\r\n"), 0, []string{"", "m=image 0 udptl t38"}, "RTP/AVP"},
		{"feedback profile kept", sdpOf(c, strings.Replace(pcmuSection, "RTP/AVP", "RTP/AVPF", 1)), 0, []string{""}, "RTP/AVPF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			offer, err := ParseSDP([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			n, err := Answer(offer, codecs(t, "opus", "pcmu"), media.SendRecv)
			if err != nil {
				t.Fatal(err)
			}
			if n.Stream != tc.stream || n.Codec.Name != "PCMU" {
				t.Fatalf("chose stream %d codec %s, want %d PCMU", n.Stream, n.Codec.Name, tc.stream)
			}
			body, err := MarshalSDP(LocalMedia{Addr: netip.MustParseAddrPort("127.0.0.1:6000"), Codecs: []media.Codec{n.Codec},
				Direction: n.Direction, Layout: n.Layout, Stream: n.Stream})
			if err != nil {
				t.Fatal(err)
			}
			var mlines []string
			for _, l := range strings.Split(string(body), "\r\n") {
				if strings.HasPrefix(l, "m=") {
					mlines = append(mlines, l)
				}
			}
			if len(mlines) != len(tc.lines) {
				t.Fatalf("answer m= lines %q, want %d:\n%s", mlines, len(tc.lines), body)
			}
			for i, want := range tc.lines {
				if want == "" {
					want = "m=audio 6000 " + tc.proto + " 0"
				}
				if mlines[i] != want {
					t.Errorf("m= line %d: %q, want %q", i, mlines[i], want)
				}
			}
		})
	}
}

// TestNoUsableAudioSaysWhy: an offer we must refuse (488) names the cause.
func TestNoUsableAudioSaysWhy(t *testing.T) {
	c := "c=IN IP4 192.0.2.10\r\n"
	for name, body := range map[string]string{
		"video only":        sdpOf(c, videoH261),
		"audio refused":     sdpOf(c, strings.Replace(pcmuSection, "4000", "0", 1)),
		"audio over DTLS":   sdpOf(c, "m=audio 4200 UDP/TLS/RTP/SAVPF 0\r\n"),
		"no address at all": sdpOf("", pcmuSection),
	} {
		offer, err := ParseSDP([]byte(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := Answer(offer, codecs(t, "pcmu"), media.SendRecv); err == nil {
			t.Errorf("%s: answered", name)
		} else if !strings.Contains(err.Error(), "bad SDP") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestLaterOffersKeepTheLayout: after answering audio+video, our own
// offers (hold) keep both m= lines, the video still refused (RFC 3264 §8).
func TestLaterOffersKeepTheLayout(t *testing.T) {
	offer, err := ParseSDP([]byte(sdpOf("c=IN IP4 192.0.2.10\r\n", videoH261, pcmuSection)))
	if err != nil {
		t.Fatal(err)
	}
	n, err := Answer(offer, codecs(t, "pcmu"), media.SendRecv)
	if err != nil {
		t.Fatal(err)
	}
	hold, err := MarshalSDP(LocalMedia{Addr: netip.MustParseAddrPort("127.0.0.1:6000"), Codecs: []media.Codec{n.Codec},
		Direction: media.SendOnly, Layout: n.Layout, Stream: n.Stream})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hold), "m=video 0 RTP/AVP 31\r\nm=audio 6000 RTP/AVP 0\r\n") || !strings.Contains(string(hold), "a=sendonly") {
		t.Fatalf("hold offer:\n%s", hold)
	}
	// Their answer to it: our audio is line 2.
	answer, _ := ParseSDP([]byte(sdpOf("c=IN IP4 192.0.2.10\r\n", "m=video 0 RTP/AVP 31\r\n", pcmuSection+"a=recvonly\r\n")))
	a, err := AcceptAnswer(codecs(t, "pcmu"), answer, n.Stream, media.SendOnly)
	if err != nil || a.Direction != media.SendOnly || a.Remote.Port() != 4000 {
		t.Fatalf("accept %+v, %v", a, err)
	}
}

// TestOddSDPFromRealPeers: SDP that breaks RFC 4566's letter in ways
// devices do (lines out of order, a missing s= or t=, NUL padding, LF line
// ends, blanks) is still read; a clean body is read as it is.
func TestOddSDPFromRealPeers(t *testing.T) {
	const (
		head = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\n"
		c    = "c=IN IP4 192.0.2.10\r\n"
		m    = "m=audio 4000 RTP/AVP 0 8\r\n"
	)
	for name, body := range map[string]string{
		"no s=":                      head + c + "t=0 0\r\n" + m,
		"no t=":                      head + "s=-\r\n" + c + m,
		"no o=":                      "v=0\r\ns=-\r\n" + c + "t=0 0\r\n" + m,
		"session a= before t=":       head + "s=-\r\n" + c + "a=sendonly\r\nt=0 0\r\n" + m,
		"media a= before c=":         head + "s=-\r\nt=0 0\r\n" + m + "a=sendonly\r\n" + c,
		"NUL padding":                head + "s=-\r\n" + c + "t=0 0\r\n" + m + "a=sendonly\r\n\x00\x00\x00",
		"trailing blanks":            head + "s=-\r\n" + c + "t=0 0\r\n" + "m=audio 4000 RTP/AVP 0 8 \r\n" + "a=sendonly \r\n",
		"blank in rtpmap":            head + "s=-\r\n" + c + "t=0 0\r\n" + "m=audio 4000 RTP/AVP 96\r\na=rtpmap: 96 PCMU/8000\r\n",
		"empty s=":                   head + "s=\r\n" + c + "t=0 0\r\n" + m,
		"i= u= e= p= b= k= a plenty": head + "s=-\r\ni=x\r\nu=http://x\r\ne=a@b\r\np=+1 555\r\n" + c + "b=AS:64\r\nt=0 0\r\nk=clear:x\r\n" + m + "b=TIAS:64000\r\na=rtcp:4001\r\na=maxptime:150\r\n",
	} {
		t.Run(name, func(t *testing.T) {
			offer, err := ParseSDP([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			n, err := Answer(offer, codecs(t, "pcmu"), media.SendRecv)
			if err != nil || n.Codec.Name != "PCMU" || n.Remote.String() != "192.0.2.10:4000" {
				t.Fatalf("answer %+v, %v", n, err)
			}
			wantHeld := strings.Contains(body, "a=sendonly")
			if n.RemoteHold() != wantHeld {
				t.Fatalf("held %v, want %v", n.RemoteHold(), wantHeld)
			}
		})
	}
	clean := []byte(sdpOf("c=IN IP4 192.0.2.10\r\na=sendonly\r\n", pcmuSection, videoH261))
	if string(canonicalSDP(clean)) != string(clean) {
		t.Fatalf("a well-formed body is rewritten:\n%s", canonicalSDP(clean))
	}
}
