// Package update checks the IT-configured, ed25519-signed update manifest and
// downloads the installer it names, refusing any manifest or file whose
// signature or SHA-256 does not match.
package update

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Manifest describes one release for one platform. It is served as JSON with a
// detached signature next to it (SignatureURL): base64 of the ed25519 signature
// over the manifest's exact bytes.
type Manifest struct {
	Version string `json:"version"`
	// URL of the installer; relative URLs resolve against the manifest's URL.
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Expires stops an attacker from replaying an old, validly signed manifest forever.
	Expires time.Time `json:"expires,omitzero"`
	Notes   string    `json:"notes,omitempty"`
}

// SignatureURL is where the detached signature of the manifest at manifestURL lives.
func SignatureURL(manifestURL string) string { return manifestURL + ".sig" }

// ParsePublicKey decodes the policy's update.public_key (base64, standard or URL alphabet).
func ParsePublicKey(b64 string) (ed25519.PublicKey, error) {
	raw, err := decodeBase64(strings.TrimSpace(b64))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, ErrBadPublicKey
	}
	return ed25519.PublicKey(raw), nil
}

// Sign returns the manifest's JSON and the base64 detached signature to serve next to it.
func Sign(m Manifest, key ed25519.PrivateKey) (body, sig []byte, err error) {
	if err := m.validate(); err != nil {
		return nil, nil, err
	}
	body, err = json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encode manifest: %w", err)
	}
	body = append(body, '\n')
	raw := ed25519.Sign(key, body)
	return body, []byte(base64.StdEncoding.EncodeToString(raw) + "\n"), nil
}

// Verify checks sig over body with pub, then parses and validates the manifest.
// Nothing in body is trusted before the signature checks out.
func Verify(body, sig []byte, pub ed25519.PublicKey, now time.Time) (Manifest, error) {
	raw, err := decodeBase64(strings.TrimSpace(string(sig)))
	if err != nil || len(raw) != ed25519.SignatureSize || !ed25519.Verify(pub, body, raw) {
		return Manifest{}, ErrBadSignature
	}
	var m Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return Manifest{}, fmt.Errorf("%w (%v)", ErrBadManifest, err)
	}
	if err := m.validate(); err != nil {
		return Manifest{}, err
	}
	if !m.Expires.IsZero() && now.After(m.Expires) {
		return Manifest{}, fmt.Errorf("%w (expired %s)", ErrExpired, m.Expires.Format(time.RFC3339))
	}
	return m, nil
}

func (m Manifest) validate() error {
	switch {
	case m.Version == "":
		return fmt.Errorf("%w: no version", ErrBadManifest)
	case m.URL == "":
		return fmt.Errorf("%w: no url", ErrBadManifest)
	case m.Size <= 0:
		return fmt.Errorf("%w: no size", ErrBadManifest)
	}
	if h, err := hex.DecodeString(m.SHA256); err != nil || len(h) != 32 {
		return fmt.Errorf("%w: sha256 is not 64 hex digits", ErrBadManifest)
	}
	if _, err := url.Parse(m.URL); err != nil {
		return fmt.Errorf("%w: bad url: %v", ErrBadManifest, err)
	}
	return nil
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(s); err == nil {
			return raw, nil
		}
	}
	return nil, fmt.Errorf("not base64")
}
