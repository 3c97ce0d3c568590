package sip

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/media"
)

// RFC 2198 redundancy is offered after the codecs for Opus, negotiated
// only for Opus with a matching fmtp, with the other side's payload type.
func TestREDNegotiation(t *testing.T) {
	opus := codecs(t, "opus")[0]
	red := media.REDCodec(opus)
	body, err := MarshalSDP(LocalMedia{Addr: netip.MustParseAddrPort("127.0.0.1:5004"), Codecs: codecs(t, "opus", "pcmu"), RED: &red})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "m=audio 5004 RTP/AVP 111 0 63\r\n") || !strings.Contains(string(body), "a=rtpmap:63 red/48000/2\r\na=fmtp:63 111/111\r\n") {
		t.Fatalf("offer:\n%s", body)
	}
	offer, err := ParseSDP(body)
	if err != nil {
		t.Fatal(err)
	}
	n, err := Answer(offer, codecs(t, "opus", "pcmu"), media.SendRecv)
	if err != nil || n.Codec.Name != "opus" || n.RED == nil || n.RED.PayloadType != 63 {
		t.Fatalf("answer %+v %v", n, err)
	}
	if a, err := AcceptAnswer(codecs(t, "opus"), offer, 0, media.SendRecv); err != nil || a.RED == nil {
		t.Fatalf("accept %+v %v", a, err)
	}
	// PCMU chosen: no RED; RED naming another payload: no RED; no RED
	// offered: none.
	if n, _ := Answer(offer, codecs(t, "pcmu"), media.SendRecv); n.RED != nil {
		t.Fatalf("RED with PCMU: %+v", n)
	}
	other := strings.Replace(string(body), "a=fmtp:63 111/111", "a=fmtp:63 0/0", 1)
	if o, err := ParseSDP([]byte(other)); err != nil {
		t.Fatal(err)
	} else if n, _ := Answer(o, codecs(t, "opus"), media.SendRecv); n.RED != nil {
		t.Fatalf("RED over another payload type accepted: %+v", n)
	}
	if o, err := ParseSDP([]byte(baresipOffer)); err != nil {
		t.Fatal(err)
	} else if n, _ := Answer(o, codecs(t, "opus"), media.SendRecv); n.RED != nil {
		t.Fatalf("RED from an offer without it: %+v", n)
	}
}
