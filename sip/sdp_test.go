package sip

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/media"
)

func codecs(t *testing.T, names ...string) []media.Codec {
	t.Helper()
	var out []media.Codec
	for _, n := range names {
		c, ok := media.LookupCodec(n)
		if !ok {
			t.Fatalf("unknown codec %s", n)
		}
		out = append(out, c)
	}
	return out
}

const baresipOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 4000 RTP/AVP 96 0 8 101\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96 stereo=1;sprop-stereo=1\r\n" +
	"a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=sendrecv\r\n"

func TestAnswerNegotiationTable(t *testing.T) {
	tests := []struct {
		name      string
		offer     string
		prefs     []string
		want      media.Direction
		codec     string
		pt        uint8
		dtmfPT    int // -1: none
		direction media.Direction
		err       error
	}{
		{"our first preference wins", baresipOffer, []string{"opus", "pcmu"}, media.SendRecv, "opus", 96, 101, media.SendRecv, nil},
		{"their payload number is kept", baresipOffer, []string{"pcma"}, media.SendRecv, "PCMA", 8, 101, media.SendRecv, nil},
		{"static types need no rtpmap", strings.Replace(strings.Replace(baresipOffer, "a=rtpmap:0 PCMU/8000\r\n", "", 1), "m=audio 4000 RTP/AVP 96 0 8 101", "m=audio 4000 RTP/AVP 0", 1), []string{"opus", "pcmu"}, media.SendRecv, "PCMU", 0, -1, media.SendRecv, nil},
		{"sendonly offer is answered recvonly", strings.Replace(baresipOffer, "a=sendrecv", "a=sendonly", 1), []string{"pcmu"}, media.SendRecv, "PCMU", 0, 101, media.RecvOnly, nil},
		{"inactive stays inactive", strings.Replace(baresipOffer, "a=sendrecv", "a=inactive", 1), []string{"pcmu"}, media.SendRecv, "PCMU", 0, 101, media.Inactive, nil},
		{"old-style hold c=0.0.0.0", strings.Replace(baresipOffer, "c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0", 1), []string{"pcmu"}, media.SendRecv, "PCMU", 0, 101, media.RecvOnly, nil},
		{"our hold against their sendrecv", baresipOffer, []string{"pcmu"}, media.SendOnly, "PCMU", 0, 101, media.SendOnly, nil},
		{"no telephone-event offered", strings.Replace(baresipOffer, "a=rtpmap:101 telephone-event/8000\r\n", "", 1), []string{"pcmu"}, media.SendRecv, "PCMU", 0, -1, media.SendRecv, nil},
		{"no common codec", strings.Replace(baresipOffer, "m=audio 4000 RTP/AVP 96 0 8 101", "m=audio 4000 RTP/AVP 18", 1), []string{"opus", "pcmu"}, media.SendRecv, "", 0, -1, 0, ErrNoCommonCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, err := ParseSDP([]byte(tt.offer))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			n, err := Answer(offer, codecs(t, tt.prefs...), tt.want)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				var cm *CodecMismatchError
				if !errors.As(err, &cm) || len(cm.Ours) == 0 {
					t.Fatalf("mismatch error %v does not name both sides' codecs", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n.Codec.Name != tt.codec || n.Codec.PayloadType != tt.pt {
				t.Errorf("codec %s/%d, want %s/%d", n.Codec.Name, n.Codec.PayloadType, tt.codec, tt.pt)
			}
			if n.Direction != tt.direction {
				t.Errorf("direction %v, want %v", n.Direction, tt.direction)
			}
			if n.Remote != netip.MustParseAddrPort("127.0.0.1:4000") && !strings.Contains(tt.name, "0.0.0.0") {
				t.Errorf("remote %v", n.Remote)
			}
			if tt.dtmfPT < 0 {
				if n.DTMF != nil {
					t.Errorf("DTMF negotiated although not offered")
				}
			} else if n.DTMF == nil || int(n.DTMF.PayloadType) != tt.dtmfPT {
				t.Errorf("DTMF %v, want PT %d", n.DTMF, tt.dtmfPT)
			}
		})
	}
}

func TestOfferRoundTrip(t *testing.T) {
	te := media.DefaultTelephoneEvent()
	body, err := MarshalSDP(LocalMedia{
		Addr: netip.MustParseAddrPort("[::1]:5004"), Codecs: codecs(t, "opus", "pcmu", "pcma"),
		DTMF: &te, Direction: media.SendOnly, SessionID: 7, Version: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	sdp, err := ParseSDP(body)
	if err != nil {
		t.Fatalf("our own SDP does not parse: %v\n%s", err, body)
	}
	got, _, err := sdp.Audio()
	if err != nil {
		t.Fatal(err)
	}
	if got.Addr.String() != "[::1]:5004" || got.Direction != media.SendOnly || len(got.Codecs) != 3 || len(got.DTMF) != 1 {
		t.Fatalf("round trip lost something: %+v\n%s", got, body)
	}
	if !strings.Contains(string(body), "a=fmtp:111 minptime=10;useinbandfec=1") {
		t.Fatalf("Opus offer without in-band FEC:\n%s", body)
	}
	a, err := AcceptAnswer(codecs(t, "opus", "pcmu"), sdp, 0, media.SendRecv)
	if err != nil || a.Codec.Name != "opus" || a.Direction != media.RecvOnly {
		t.Fatalf("accept = %+v, %v", a, err)
	}
}

func TestParseSDPRejectsGarbage(t *testing.T) {
	for _, body := range []string{"", "hello", "v=0\r\n", strings.Replace(baresipOffer, "c=IN IP4 127.0.0.1", "c=IN IP4 pbx.example.com", 1),
		strings.Replace(baresipOffer, "m=audio", "m=video", 1), strings.Replace(baresipOffer, "RTP/AVP", "UDP/TLS/RTP/SAVP", 1)} {
		sdp, err := ParseSDP([]byte(body))
		if err == nil {
			_, _, err = sdp.Audio()
		}
		if !errors.Is(err, ErrBadSDP) {
			t.Errorf("ParseSDP(%q) err = %v, want ErrBadSDP", body, err)
		}
	}
}

func FuzzParseAndAnswerSDP(f *testing.F) {
	f.Add([]byte(baresipOffer))
	f.Add([]byte(strings.Replace(baresipOffer, "a=sendrecv", "a=sendonly", 1)))
	f.Add([]byte("v=0\r\no=- 0 0 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n"))
	f.Add([]byte("v=0\r\no=- 0 0 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\na=sendonly\r\nm=image 4300 udptl t38\r\nm=audio 4000 RTP/AVPF 0\r\nc=IN IP4 1.2.3.5\r\na=sendrecv\r\nm=video 0 RTP/AVP 31\r\n"))
	prefs := media.DefaultCodecs()
	f.Fuzz(func(t *testing.T, body []byte) {
		offer, err := ParseSDP(body)
		if err != nil {
			return
		}
		n, err := Answer(offer, prefs, media.SendRecv)
		if err != nil {
			return
		}
		body, err = MarshalSDP(LocalMedia{Addr: netip.MustParseAddrPort("127.0.0.1:4000"), Codecs: []media.Codec{n.Codec}, DTMF: n.DTMF,
			Direction: n.Direction, Secure: n.Secure, Layout: n.Layout, Stream: n.Stream})
		if err != nil {
			t.Fatalf("cannot write an answer to a parsed offer: %v", err)
		}
		answer, err := ParseSDP(body)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, body)
		}
		if len(answer.Streams) != len(offer.Streams) {
			t.Fatalf("answer has %d m= lines for an offer of %d:\n%s", len(answer.Streams), len(offer.Streams), body)
		}
		for i, a := range answer.Streams {
			if a.Media != offer.Streams[i].Media || a.Rejected != (i != n.Stream) {
				t.Fatalf("answer m= line %d (%s, refused %v) does not answer the offer's (%s):\n%s", i, a.Media, a.Rejected, offer.Streams[i].Media, body)
			}
		}
	})
}

func TestDTMFBodies(t *testing.T) {
	for body, want := range map[string]rune{"Signal=5\r\nDuration=160\r\n": '5', "Signal= #\r\n": '#', "signal=11": '#', "Signal=a": 'A'} {
		if got, ok := parseDTMFRelay([]byte(body)); !ok || got != want {
			t.Errorf("parseDTMFRelay(%q) = %q,%v want %q", body, got, ok, want)
		}
	}
	if _, ok := parseDTMFRelay([]byte("Signal=Z")); ok {
		t.Error("accepted Z as a DTMF key")
	}
	if code, reason, ok := parseSipfrag([]byte("SIP/2.0 486 Busy Here\r\n")); !ok || code != 486 || reason != "Busy Here" {
		t.Errorf("sipfrag = %d %q %v", code, reason, ok)
	}
}

func TestRedactRemovesCredentials(t *testing.T) {
	msg := "REGISTER sip:pbx SIP/2.0\r\nAuthorization: Digest username=\"alice\", response=\"abc123\"\r\nproxy-authorization: Digest x\r\nX-Homeshore-Grant : eyJ2IjoxfQ.c2ln\r\nTo: <sip:alice@pbx>\r\n\r\n" +
		"m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20\r\n"
	got := string(Redact([]byte(msg)))
	if strings.Contains(got, "abc123") || strings.Contains(got, "Digest x") || strings.Contains(got, "eyJ2IjoxfQ") || !strings.Contains(got, "To: <sip:alice@pbx>") ||
		strings.Contains(got, "WVNfX19z") || !strings.Contains(got, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[redacted]|2^20") {
		t.Fatalf("redacted trace:\n%s", got)
	}
}
