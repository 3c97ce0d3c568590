package sip

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/homeshore/homeshore/media"
)

// SRTPMode says whether calls encrypt their media with SRTP, keyed by
// SDES (RFC 4568: a=crypto lines, so use it over TLS, where the keys
// travel encrypted).
type SRTPMode string

const (
	// SRTPOff offers plain RTP; an offer that requires SRTP is still accepted.
	SRTPOff SRTPMode = "off"
	// SRTPOptional offers RTP/AVP with crypto lines: encrypted when the
	// other side answers with one, plain otherwise.
	SRTPOptional SRTPMode = "optional"
	// SRTPMandatory offers RTP/SAVP and refuses calls without SRTP.
	SRTPMandatory SRTPMode = "mandatory"
)

// ParseSRTPMode reads "off", "optional" or "mandatory" ("" is off).
func ParseSRTPMode(s string) (SRTPMode, error) {
	switch m := SRTPMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "", SRTPOff:
		return SRTPOff, nil
	case SRTPOptional, SRTPMandatory:
		return m, nil
	}
	return "", fmt.Errorf("SRTP mode %q: use off, optional or mandatory", s)
}

// ErrSRTP wraps every failure to agree on encrypted media.
var ErrSRTP = errors.New("no agreement on encrypted media (SRTP)")

// offeredSRTPSuites are the suites our offers list, in order: the one
// every SDES implementation has first, then the stronger AEAD ones.
var offeredSRTPSuites = []string{"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32", "AEAD_AES_256_GCM", "AEAD_AES_128_GCM"}

// Crypto is one SDP a=crypto line (RFC 4568 §9.1) with a single inline
// key; Key is the master key followed by the master salt.
type Crypto struct {
	Tag   int
	Suite string
	Key   []byte
}

// attribute is the value of the a=crypto line.
func (c Crypto) attribute() string {
	return fmt.Sprintf("%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(c.Key))
}

// parseCrypto reads an a=crypto value. ok is false for a line we cannot
// use: a suite we lack, a key of the wrong size, several keys, an MKI, or
// session parameters (which RFC 4568 says we must then not ignore).
func parseCrypto(v string) (c Crypto, ok bool) {
	f := strings.Fields(v)
	if len(f) != 3 {
		return Crypto{}, false
	}
	tag, err := strconv.ParseUint(f[0], 10, 30)
	if err != nil {
		return Crypto{}, false
	}
	c = Crypto{Tag: int(tag), Suite: f[1]}
	want, err := media.SRTPKeyLen(c.Suite)
	if err != nil {
		return c, false
	}
	method, key, found := strings.Cut(f[2], ":")
	if !found || !strings.EqualFold(method, "inline") || strings.Contains(key, ";") {
		return c, false
	}
	b64, lifetimeAndMKI, _ := strings.Cut(key, "|")
	if strings.Count(lifetimeAndMKI, ":") > 0 {
		return c, false // an MKI
	}
	if c.Key, err = base64.StdEncoding.DecodeString(b64); err != nil {
		if c.Key, err = base64.RawStdEncoding.DecodeString(b64); err != nil {
			return c, false
		}
	}
	return c, len(c.Key) == want
}

// srtpKeys are our master keys for one call, one per suite, made when
// first needed and kept for the whole call so that re-INVITEs repeat them.
type srtpKeys map[string][]byte

func (k srtpKeys) get(suite string) ([]byte, error) {
	if key, ok := k[suite]; ok {
		return key, nil
	}
	key, err := media.NewSRTPKey(suite)
	if err != nil {
		return nil, err
	}
	k[suite] = key
	return key, nil
}

// offer is what our offers carry for mode: the crypto lines and whether
// the m-line says RTP/SAVP.
func (k srtpKeys) offer(mode SRTPMode) (lines []Crypto, secure bool, err error) {
	if mode != SRTPOptional && mode != SRTPMandatory {
		return nil, false, nil
	}
	for i, suite := range offeredSRTPSuites {
		key, err := k.get(suite)
		if err != nil {
			return nil, false, err
		}
		lines = append(lines, Crypto{Tag: i + 1, Suite: suite, Key: key})
	}
	return lines, mode == SRTPMandatory, nil
}

// answerSRTP settles encryption for an offer we answer: neg gets the keys
// and the crypto line our answer carries. An offer with SRTP is accepted
// in every mode; a plain one is refused only when SRTP is mandatory.
func (k srtpKeys) answerSRTP(mode SRTPMode, sdp RemoteSDP, neg *Negotiation) error {
	offer := sdp.Streams[neg.Stream]
	neg.Secure = offer.Secure
	usable := mode != SRTPOff || offer.Secure
	if len(offer.Crypto) == 0 || !usable {
		switch {
		case offer.Secure:
			theirs := "none"
			if len(offer.UnusableCrypto) > 0 {
				theirs = strings.Join(offer.UnusableCrypto, ", ")
			}
			return fmt.Errorf("%w: the offer asks for RTP/SAVP with crypto suites we cannot use: we support %s, they offer %s", ErrSRTP, strings.Join(media.SRTPSuites(), ", "), theirs)
		case mode == SRTPMandatory:
			return fmt.Errorf("%w: encrypted media is required here and the offer is plain RTP", ErrSRTP)
		}
		return nil
	}
	theirs := offer.Crypto[0] // the offerer's preferred usable line
	key, err := k.get(theirs.Suite)
	if err != nil {
		return err
	}
	neg.Crypto = &Crypto{Tag: theirs.Tag, Suite: theirs.Suite, Key: key}
	neg.SRTP = &media.SRTP{Suite: theirs.Suite, Local: key, Remote: theirs.Key}
	return nil
}

// acceptSRTP reads the answer to an offer of ours that carried offered.
func acceptSRTP(mode SRTPMode, offered []Crypto, answer RemoteMedia, neg *Negotiation) error {
	neg.Secure = answer.Secure
	if len(offered) == 0 {
		return nil
	}
	for _, theirs := range answer.Crypto {
		for _, ours := range offered {
			if ours.Tag == theirs.Tag && ours.Suite == theirs.Suite {
				neg.SRTP = &media.SRTP{Suite: ours.Suite, Local: ours.Key, Remote: theirs.Key}
				neg.Crypto = &ours
				return nil
			}
		}
	}
	switch {
	case len(answer.Crypto) > 0 || answer.Secure:
		return fmt.Errorf("%w: the answer's crypto line matches none we offered", ErrSRTP)
	case mode == SRTPMandatory:
		return fmt.Errorf("%w: encrypted media is required here and the other side answered with plain RTP; ask IT whether it supports SRTP, or set SRTP to optional", ErrSRTP)
	}
	return nil
}

// acceptAnswer reads the answer to our last offer: codec, direction and
// SRTP keys. Our offer had the m= lines of the session so far.
func (c *Call) acceptAnswer(offered []media.Codec, answer RemoteSDP, want media.Direction) (Negotiation, error) {
	c.mu.Lock()
	lines, layout, stream := c.offeredSRTP, c.neg.Layout, c.neg.Stream
	dtmf, red := c.offeredDTMF, c.offeredRED
	c.mu.Unlock()
	n, err := AcceptAnswer(offered, answer, stream, want)
	if err != nil {
		return n, err
	}
	n.Layout = layout
	n.PTAlias = ptAlias(n, offered, dtmf, red)
	return n, acceptSRTP(c.ua.cfg.SRTP, lines, answer.Streams[n.Stream], &n)
}
