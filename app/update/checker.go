package update

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"time"
)

// maxManifestBytes bounds what a hostile server can make the app read before the signature check.
const maxManifestBytes = 64 << 10

// Checker fetches and verifies the manifest at an IT-configured URL.
type Checker struct {
	client      *http.Client
	manifestURL *url.URL
	publicKey   ed25519.PublicKey
	current     string
	now         func() time.Time
	log         *slog.Logger
}

// Result is what a check found: the verified manifest, and whether it is newer than the running version.
type Result struct {
	Manifest  Manifest
	Available bool
}

// NewChecker returns a checker for the policy's update.manifest_url and
// update.public_key; current is the running version. A nil client means
// http.DefaultClient; now may be nil (time.Now).
func NewChecker(manifestURL, publicKey, current string, client *http.Client, now func() time.Time, log *slog.Logger) (*Checker, error) {
	if manifestURL == "" || publicKey == "" {
		return nil, ErrNotConfigured
	}
	u, err := url.Parse(manifestURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("update manifest URL %q is not an http(s) URL: ask IT to fix update.manifest_url", manifestURL)
	}
	pub, err := ParsePublicKey(publicKey)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = http.DefaultClient
	}
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Checker{client: client, manifestURL: u, publicKey: pub, current: current, now: now, log: log}, nil
}

// Check fetches the manifest and its signature and verifies them.
func (c *Checker) Check(ctx context.Context) (Result, error) {
	body, err := c.get(ctx, c.manifestURL.String(), maxManifestBytes)
	if err != nil {
		return Result{}, err
	}
	sig, err := c.get(ctx, SignatureURL(c.manifestURL.String()), 1024)
	if err != nil {
		return Result{}, err
	}
	m, err := Verify(body, sig, c.publicKey, c.now())
	if err != nil {
		c.log.Warn("update manifest refused", "url", c.manifestURL.String(), "err", err)
		return Result{}, err
	}
	avail := Newer(m.Version, c.current)
	c.log.Info("update manifest verified", "version", m.Version, "current", c.current, "available", avail)
	return Result{Manifest: m, Available: avail}, nil
}

// Download fetches the installer m names into dir and returns its path. The
// file only appears under its final name once its size and SHA-256 match the
// verified manifest; otherwise it is deleted and ErrHashMismatch/ErrTooLarge returned.
func (c *Checker) Download(ctx context.Context, m Manifest, dir string) (string, error) {
	ref, err := url.Parse(m.URL)
	if err != nil {
		return "", fmt.Errorf("%w: bad url: %v", ErrBadManifest, err)
	}
	src := c.manifestURL.ResolveReference(ref)
	name := path.Base(src.Path)
	if name == "." || name == "/" || name == "" {
		return "", fmt.Errorf("%w: url %q names no file", ErrBadManifest, m.URL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.String(), nil)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", &FetchError{URL: src.String(), Status: resp.StatusCode}
	}
	tmp, err := os.CreateTemp(dir, ".homeshore-update-*")
	if err != nil {
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(resp.Body, m.Size+1))
	if err != nil {
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	if n > m.Size {
		return "", ErrTooLarge
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != m.Size || got != m.SHA256 {
		c.log.Warn("update download refused", "url", src.String(), "size", n, "want_size", m.Size, "sha256", got, "want_sha256", m.SHA256)
		return "", ErrHashMismatch
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	final := filepath.Join(dir, name)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return "", fmt.Errorf("download %s: %w", src, err)
	}
	keep = true
	return final, nil
}

func (c *Checker) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w (is the update server reachable?)", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &FetchError{URL: u, Status: resp.StatusCode}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	if int64(len(b)) > limit {
		return nil, errors.Join(ErrBadManifest, fmt.Errorf("%s is larger than %d bytes", u, limit))
	}
	return b, nil
}
