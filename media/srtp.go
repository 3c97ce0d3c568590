package media

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"sync"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// SRTP holds the keys of an encrypted session (RFC 3711) as SDES
// (RFC 4568) negotiated them. Keys are the master key followed by the
// master salt, as the SDP inline parameter carries them.
type SRTP struct {
	Suite  string // SDES crypto-suite name, e.g. AES_CM_128_HMAC_SHA1_80
	Local  []byte // what we encrypt with
	Remote []byte // what the peer encrypts with
}

// srtpSuites maps SDES suite names (RFC 4568, 6188, 7714) to pion's
// profiles, in our order of preference for offers.
var srtpSuites = []struct {
	name    string
	profile srtp.ProtectionProfile
}{
	{"AES_CM_128_HMAC_SHA1_80", srtp.ProtectionProfileAes128CmHmacSha1_80},
	{"AES_CM_128_HMAC_SHA1_32", srtp.ProtectionProfileAes128CmHmacSha1_32},
	{"AES_256_CM_HMAC_SHA1_80", srtp.ProtectionProfileAes256CmHmacSha1_80},
	{"AES_256_CM_HMAC_SHA1_32", srtp.ProtectionProfileAes256CmHmacSha1_32},
	{"AEAD_AES_128_GCM", srtp.ProtectionProfileAeadAes128Gcm},
	{"AEAD_AES_256_GCM", srtp.ProtectionProfileAeadAes256Gcm},
}

// SRTPSuites lists the crypto suites we support, most preferred first.
func SRTPSuites() []string {
	names := make([]string, len(srtpSuites))
	for i, s := range srtpSuites {
		names[i] = s.name
	}
	return names
}

func srtpProfile(suite string) (srtp.ProtectionProfile, error) {
	for _, s := range srtpSuites {
		if s.name == suite {
			return s.profile, nil
		}
	}
	return 0, fmt.Errorf("media: unsupported SRTP crypto suite %q", suite)
}

// SRTPKeyLen is the length of suite's master key plus master salt.
func SRTPKeyLen(suite string) (int, error) {
	p, err := srtpProfile(suite)
	if err != nil {
		return 0, err
	}
	k, err := p.KeyLen()
	if err != nil {
		return 0, err
	}
	s, err := p.SaltLen()
	if err != nil {
		return 0, err
	}
	return k + s, nil
}

// NewSRTPKey makes a random master key and salt for suite.
func NewSRTPKey(suite string) ([]byte, error) {
	n, err := SRTPKeyLen(suite)
	if err != nil {
		return nil, err
	}
	key := make([]byte, n)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("media: generating an SRTP key: %w", err)
	}
	return key, nil
}

// srtpReplayWindow is how many packets back a replayed one is recognised.
const srtpReplayWindow = 128

// srtpState is one direction pair of SRTP contexts. A pion Context is not
// safe for concurrent use, so each has one user: the sender goroutine
// (sendRTP), the RTP and RTCP readers (recvRTP, recvRTCP), and whoever
// sends a report (sendRTCP, under rtcpMu).
type srtpState struct {
	keys             SRTP
	sendRTP, recvRTP *srtp.Context
	recvRTCP         *srtp.Context
	rtpHdr, recvHdr  rtp.Header
	rtpBuf           [1600]byte

	rtcpMu     sync.Mutex
	sendRTCP   *srtp.Context
	rtcpHeader rtcp.Header
	rtcpBuf    [1600]byte
}

func newSRTPState(k SRTP) (*srtpState, error) {
	p, err := srtpProfile(k.Suite)
	if err != nil {
		return nil, err
	}
	want, _ := SRTPKeyLen(k.Suite)
	if len(k.Local) != want || len(k.Remote) != want {
		return nil, fmt.Errorf("media: %s needs %d-byte keys, got %d (ours) and %d (theirs)", k.Suite, want, len(k.Local), len(k.Remote))
	}
	keyLen, _ := p.KeyLen()
	mk := func(key []byte, opts ...srtp.ContextOption) (*srtp.Context, error) {
		return srtp.CreateContext(key[:keyLen], key[keyLen:], p, opts...)
	}
	st := &srtpState{keys: SRTP{Suite: k.Suite, Local: bytes.Clone(k.Local), Remote: bytes.Clone(k.Remote)}}
	if st.sendRTP, err = mk(k.Local); err != nil {
		return nil, fmt.Errorf("media: SRTP: %w", err)
	}
	if st.sendRTCP, err = mk(k.Local); err != nil {
		return nil, fmt.Errorf("media: SRTP: %w", err)
	}
	if st.recvRTP, err = mk(k.Remote, srtp.SRTPReplayProtection(srtpReplayWindow)); err != nil {
		return nil, fmt.Errorf("media: SRTP: %w", err)
	}
	if st.recvRTCP, err = mk(k.Remote, srtp.SRTCPReplayProtection(srtpReplayWindow)); err != nil {
		return nil, fmt.Errorf("media: SRTP: %w", err)
	}
	return st, nil
}

// sameKeys tells whether k would give the same contexts, so a re-INVITE
// that repeats the keys keeps the rollover and replay state.
func (st *srtpState) sameKeys(k *SRTP) bool {
	return k != nil && st.keys.Suite == k.Suite && bytes.Equal(st.keys.Local, k.Local) && bytes.Equal(st.keys.Remote, k.Remote)
}

// protectRTP encrypts one marshalled RTP packet; sender goroutine only.
func (st *srtpState) protectRTP(pkt []byte) ([]byte, error) {
	return st.sendRTP.EncryptRTP(st.rtpBuf[:0], pkt, &st.rtpHdr)
}

// unprotectRTP authenticates and decrypts one packet into dst; RTP reader only.
func (st *srtpState) unprotectRTP(dst, pkt []byte) ([]byte, error) {
	return st.recvRTP.DecryptRTP(dst, pkt, &st.recvHdr)
}

// protectRTCP encrypts one compound RTCP packet; any goroutine.
func (st *srtpState) protectRTCP(pkt []byte) ([]byte, error) {
	st.rtcpMu.Lock()
	defer st.rtcpMu.Unlock()
	out, err := st.sendRTCP.EncryptRTCP(st.rtcpBuf[:0], pkt, &st.rtcpHeader)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(out), nil
}

// unprotectRTCP authenticates and decrypts one packet into dst; RTCP reader only.
func (st *srtpState) unprotectRTCP(dst, pkt []byte) ([]byte, error) {
	return st.recvRTCP.DecryptRTCP(dst, pkt, nil)
}
