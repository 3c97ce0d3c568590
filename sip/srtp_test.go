package sip

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/media"
)

func TestParseCrypto(t *testing.T) {
	key30 := "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz" // 30 bytes
	for _, tc := range []struct {
		in    string
		ok    bool
		suite string
	}{
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30, true, "AES_CM_128_HMAC_SHA1_80"},
		{"2 AES_CM_128_HMAC_SHA1_32 inline:" + key30 + "|2^20", true, "AES_CM_128_HMAC_SHA1_32"},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + "|2^20|1:4", false, ""},         // MKI
		{"1 AES_CM_128_HMAC_SHA1_80 inline:" + key30 + " UNENCRYPTED_SRTP", false, ""}, // session parameter
		{"1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", false, ""},                       // 5-byte key
		{"1 AES_256_CM_HMAC_SHA1_80 inline:" + key30, false, ""},                       // 256-bit suite needs 46 bytes
		{"1 F8_128_HMAC_SHA1_80 inline:" + key30, false, ""},
		{"x AES_CM_128_HMAC_SHA1_80 inline:" + key30, false, ""},
		{"1 AES_CM_128_HMAC_SHA1_80 uri:" + key30, false, ""},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:!!!notbase64!!!", false, ""},
		{"", false, ""},
	} {
		c, ok := parseCrypto(tc.in)
		if ok != tc.ok || (ok && c.Suite != tc.suite) {
			t.Errorf("parseCrypto(%q) = %+v, %v; want ok %v suite %q", tc.in, c, ok, tc.ok, tc.suite)
		}
	}
}

// exchange runs one offer/answer through real SDP bodies: the offerer in
// mode offerMode, the answerer in answerMode. It returns both sides'
// negotiations or the first error.
func exchange(t *testing.T, offerMode, answerMode SRTPMode) (offerer, answerer Negotiation, answerSecure bool, err error) {
	t.Helper()
	codecs := media.DefaultCodecs()
	te := media.DefaultTelephoneEvent()
	offerKeys, answerKeys := srtpKeys{}, srtpKeys{}
	lines, secure, err := offerKeys.offer(offerMode)
	if err != nil {
		t.Fatal(err)
	}
	body, err := MarshalSDP(LocalMedia{Addr: netip.MustParseAddrPort("127.0.0.1:4000"), Codecs: codecs, DTMF: &te,
		Direction: media.SendRecv, Secure: secure, Crypto: lines})
	if err != nil {
		t.Fatal(err)
	}
	offer, err := ParseSDP(body)
	if err != nil {
		t.Fatal(err)
	}
	answerer, err = Answer(offer, codecs, media.SendRecv)
	if err != nil {
		t.Fatal(err)
	}
	if err = answerKeys.answerSRTP(answerMode, offer, &answerer); err != nil {
		return
	}
	body, err = MarshalSDP(LocalMedia{Addr: netip.MustParseAddrPort("127.0.0.1:5000"), Codecs: []media.Codec{answerer.Codec},
		DTMF: answerer.DTMF, Direction: answerer.Direction, Secure: answerer.Secure, Crypto: answerer.cryptoLines()})
	if err != nil {
		t.Fatal(err)
	}
	answer, err := ParseSDP(body)
	if err != nil {
		t.Fatal(err)
	}
	offerer, err = AcceptAnswer(codecs, answer, 0, media.SendRecv)
	if err != nil {
		t.Fatal(err)
	}
	err = acceptSRTP(offerMode, lines, answer.Streams[0], &offerer)
	return offerer, answerer, answer.Streams[0].Secure, err
}

func TestSRTPOfferAnswer(t *testing.T) {
	for _, tc := range []struct {
		offer, answer SRTPMode
		encrypted     bool
		savp          bool
		fails         string // part of the error, "" = succeeds
	}{
		{SRTPOff, SRTPOff, false, false, ""},
		{SRTPOff, SRTPOptional, false, false, ""},
		{SRTPOff, SRTPMandatory, false, false, "the offer is plain RTP"},
		{SRTPOptional, SRTPOff, false, false, ""}, // best effort: crypto on RTP/AVP is ignored when off
		{SRTPOptional, SRTPOptional, true, false, ""},
		{SRTPOptional, SRTPMandatory, true, false, ""},
		{SRTPMandatory, SRTPOff, true, true, ""}, // an RTP/SAVP offer is always honoured
		{SRTPMandatory, SRTPOptional, true, true, ""},
		{SRTPMandatory, SRTPMandatory, true, true, ""},
	} {
		name := string(tc.offer) + "->" + string(tc.answer)
		offerer, answerer, savp, err := exchange(t, tc.offer, tc.answer)
		if tc.fails != "" {
			if err == nil || !errors.Is(err, ErrSRTP) || !strings.Contains(err.Error(), tc.fails) {
				t.Errorf("%s: error %v, want one saying %q", name, err, tc.fails)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if (offerer.SRTP != nil) != tc.encrypted || (answerer.SRTP != nil) != tc.encrypted || savp != tc.savp {
			t.Errorf("%s: offerer SRTP %v, answerer SRTP %v, answer RTP/SAVP %v; want encrypted %v, SAVP %v",
				name, offerer.SRTP != nil, answerer.SRTP != nil, savp, tc.encrypted, tc.savp)
			continue
		}
		if tc.encrypted {
			o, a := offerer.SRTP, answerer.SRTP
			if o.Suite != "AES_CM_128_HMAC_SHA1_80" || o.Suite != a.Suite ||
				!bytes.Equal(o.Local, a.Remote) || !bytes.Equal(o.Remote, a.Local) || bytes.Equal(o.Local, o.Remote) {
				t.Errorf("%s: keys do not cross: offerer %+v answerer %+v", name, o, a)
			}
		}
	}
}

func TestSRTPMandatoryOffererRefusesPlainAnswer(t *testing.T) {
	keys := srtpKeys{}
	lines, _, _ := keys.offer(SRTPMandatory)
	var n Negotiation
	err := acceptSRTP(SRTPMandatory, lines, RemoteMedia{}, &n)
	if !errors.Is(err, ErrSRTP) || !strings.Contains(err.Error(), "plain RTP") {
		t.Fatalf("plain answer to a mandatory offer: %v", err)
	}
	// The optional offerer falls back to plain RTP.
	if err := acceptSRTP(SRTPOptional, lines, RemoteMedia{}, &n); err != nil || n.SRTP != nil {
		t.Fatalf("plain answer to an optional offer: %v, %+v", err, n.SRTP)
	}
	// A crypto line with a tag we never offered is an error, not plain RTP.
	other, _ := media.NewSRTPKey("AES_CM_128_HMAC_SHA1_80")
	err = acceptSRTP(SRTPOptional, lines, RemoteMedia{Crypto: []Crypto{{Tag: 9, Suite: "AES_CM_128_HMAC_SHA1_80", Key: other}}}, &n)
	if !errors.Is(err, ErrSRTP) {
		t.Fatalf("answer with an unknown tag: %v", err)
	}
}

func TestSRTPSavpOfferWithUnknownSuiteNamesIt(t *testing.T) {
	body := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 4000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
	offer, err := ParseSDP([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if s := offer.Streams[0]; !s.Secure || len(s.Crypto) != 0 {
		t.Fatalf("parsed %+v", s)
	}
	neg, err := Answer(offer, media.DefaultCodecs(), media.SendRecv)
	if err != nil {
		t.Fatal(err)
	}
	err = srtpKeys{}.answerSRTP(SRTPOff, offer, &neg)
	if !errors.Is(err, ErrSRTP) || !strings.Contains(err.Error(), "F8_128_HMAC_SHA1_80") || !strings.Contains(err.Error(), "AES_CM_128_HMAC_SHA1_80") {
		t.Fatalf("error %v should name both sides' suites", err)
	}
}

func TestSRTPKeysStayForTheCall(t *testing.T) {
	keys := srtpKeys{}
	a, _, _ := keys.offer(SRTPOptional)
	b, _, _ := keys.offer(SRTPOptional)
	if len(a) != len(offeredSRTPSuites) || len(a) != len(b) {
		t.Fatalf("offers of %d and %d lines", len(a), len(b))
	}
	seen := map[string]bool{}
	for i := range a {
		if !bytes.Equal(a[i].Key, b[i].Key) {
			t.Fatalf("%s: a re-offer changed the key", a[i].Suite)
		}
		if seen[string(a[i].Key)] {
			t.Fatalf("two suites share a key")
		}
		seen[string(a[i].Key)] = true
	}
	if _, err := ParseSRTPMode("sometimes"); err == nil {
		t.Fatal("bad mode accepted")
	}
	if m, err := ParseSRTPMode(" Mandatory "); err != nil || m != SRTPMandatory {
		t.Fatalf("ParseSRTPMode: %v %v", m, err)
	}
}
