package update

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var fixedNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// release is a signed manifest plus the installer it names, served by a real HTTP server on 127.0.0.1.
type release struct {
	key       ed25519.PrivateKey
	installer []byte
	manifest  []byte
	sig       []byte
	srv       *httptest.Server
}

func newRelease(t *testing.T, m Manifest) *release {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := &release{key: key, installer: bytes.Repeat([]byte("MSI!"), 4096)}
	sum := sha256.Sum256(r.installer)
	if m.SHA256 == "" {
		m.SHA256 = hex.EncodeToString(sum[:])
	}
	if m.Size == 0 {
		m.Size = int64(len(r.installer))
	}
	r.manifest, r.sig, err = Sign(m, key)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /updates/manifest.json", func(w http.ResponseWriter, _ *http.Request) { w.Write(r.manifest) })
	mux.HandleFunc("GET /updates/manifest.json.sig", func(w http.ResponseWriter, _ *http.Request) { w.Write(r.sig) })
	mux.HandleFunc("GET /updates/homeshore-1.2.0.msi", func(w http.ResponseWriter, _ *http.Request) { w.Write(r.installer) })
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *release) checker(t *testing.T, pub ed25519.PublicKey, current string) *Checker {
	t.Helper()
	c, err := NewChecker(r.srv.URL+"/updates/manifest.json", base64.StdEncoding.EncodeToString(pub), current,
		r.srv.Client(), func() time.Time { return fixedNow }, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (r *release) public() ed25519.PublicKey { return r.key.Public().(ed25519.PublicKey) }

func goodManifest() Manifest {
	return Manifest{Version: "v1.2.0", URL: "homeshore-1.2.0.msi", Expires: fixedNow.Add(24 * time.Hour)}
}

func TestCheckAndDownloadVerifiedRelease(t *testing.T) {
	r := newRelease(t, goodManifest())
	c := r.checker(t, r.public(), "v1.1.3")
	res, err := c.Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if !res.Available || res.Manifest.Version != "v1.2.0" {
		t.Fatalf("Check = %+v, want v1.2.0 available", res)
	}
	dir := t.TempDir()
	got, err := c.Download(context.Background(), res.Manifest, dir)
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if got != filepath.Join(dir, "homeshore-1.2.0.msi") {
		t.Errorf("Download path = %s", got)
	}
	data, err := os.ReadFile(got)
	if err != nil || !bytes.Equal(data, r.installer) {
		t.Fatalf("downloaded file differs from the installer (err %v)", err)
	}
}

func TestCheckSameVersionIsNotAvailable(t *testing.T) {
	r := newRelease(t, goodManifest())
	res, err := r.checker(t, r.public(), "v1.2.0").Check(context.Background())
	if err != nil || res.Available {
		t.Fatalf("Check = %+v, %v; want verified and not available", res, err)
	}
}

func TestCheckRefusesTamperedManifest(t *testing.T) {
	r := newRelease(t, goodManifest())
	r.manifest = bytes.Replace(r.manifest, []byte("homeshore-1.2.0.msi"), []byte("evil-1.2.0.msi"), 1)
	_, err := r.checker(t, r.public(), "v1.1.0").Check(context.Background())
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("tampered manifest: err = %v, want ErrBadSignature", err)
	}
}

func TestCheckRefusesSignatureFromAnotherKey(t *testing.T) {
	r := newRelease(t, goodManifest())
	other, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.checker(t, other, "v1.1.0").Check(context.Background())
	if !errors.Is(err, ErrBadSignature) {
		t.Fatalf("foreign key: err = %v, want ErrBadSignature", err)
	}
}

func TestCheckRefusesGarbageSignature(t *testing.T) {
	for name, sig := range map[string][]byte{"empty": nil, "not base64": []byte("%%%"), "short": []byte("AAAA")} {
		t.Run(name, func(t *testing.T) {
			r := newRelease(t, goodManifest())
			r.sig = sig
			_, err := r.checker(t, r.public(), "v1.1.0").Check(context.Background())
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("err = %v, want ErrBadSignature", err)
			}
		})
	}
}

func TestCheckRefusesExpiredManifest(t *testing.T) {
	m := goodManifest()
	m.Expires = fixedNow.Add(-time.Minute)
	r := newRelease(t, m)
	_, err := r.checker(t, r.public(), "v1.1.0").Check(context.Background())
	if !errors.Is(err, ErrExpired) {
		t.Fatalf("err = %v, want ErrExpired", err)
	}
}

func TestCheckReportsHTTPStatus(t *testing.T) {
	r := newRelease(t, goodManifest())
	c, err := NewChecker(r.srv.URL+"/nothing/manifest.json", base64.StdEncoding.EncodeToString(r.public()), "v1.0.0", r.srv.Client(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Check(context.Background())
	var fe *FetchError
	if !errors.As(err, &fe) || fe.Status != http.StatusNotFound {
		t.Fatalf("err = %v, want FetchError 404", err)
	}
}

func TestDownloadRefusesTamperedInstaller(t *testing.T) {
	r := newRelease(t, goodManifest())
	c := r.checker(t, r.public(), "v1.1.0")
	res, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.installer[100] ^= 0xff
	dir := t.TempDir()
	if _, err := c.Download(context.Background(), res.Manifest, dir); !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("err = %v, want ErrHashMismatch", err)
	}
	assertEmptyDir(t, dir)
}

func TestDownloadRefusesLargerInstaller(t *testing.T) {
	r := newRelease(t, goodManifest())
	c := r.checker(t, r.public(), "v1.1.0")
	res, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r.installer = append(r.installer, "extra payload"...)
	dir := t.TempDir()
	if _, err := c.Download(context.Background(), res.Manifest, dir); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	assertEmptyDir(t, dir)
}

func TestNewCheckerRejectsBadConfiguration(t *testing.T) {
	cases := []struct {
		name, url, key string
		want           error
	}{
		{"no url", "", "AAAA", ErrNotConfigured},
		{"no key", "https://u.example/m.json", "", ErrNotConfigured},
		{"bad key", "https://u.example/m.json", "bm90IGEga2V5", ErrBadPublicKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewChecker(tc.url, tc.key, "v1.0.0", nil, nil, nil); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := NewChecker("file:///etc/passwd", base64.StdEncoding.EncodeToString(make([]byte, 32)), "v1", nil, nil, nil); err == nil {
		t.Fatal("file:// manifest URL accepted")
	}
}

func TestSignRefusesIncompleteManifest(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	if _, _, err := Sign(Manifest{Version: "v1.0.0", URL: "x.msi", Size: 1, SHA256: "abc"}, key); !errors.Is(err, ErrBadManifest) {
		t.Fatalf("err = %v, want ErrBadManifest", err)
	}
}

func TestNewer(t *testing.T) {
	cases := []struct {
		candidate, current string
		want               bool
	}{
		{"v1.2.0", "v1.1.9", true},
		{"v1.10.0", "v1.9.0", true},
		{"v1.2.0", "v1.2.0", false},
		{"v1.2.0-3-gabc", "v1.2.0", true},
		{"v1.2.0", "v1.2.0-3-gabc", false},
		{"1.2.0", "v1.1.0-dirty", true},
		{"v1.1.0", "v1.2.0", false},
		{"v2.0.0", "dev", false},
		{"garbage", "v1.0.0", false},
	}
	for _, tc := range cases {
		if got := Newer(tc.candidate, tc.current); got != tc.want {
			t.Errorf("Newer(%q, %q) = %v, want %v", tc.candidate, tc.current, got, tc.want)
		}
	}
}

func FuzzVerify(f *testing.F) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	pub := key.Public().(ed25519.PublicKey)
	body, sig, _ := Sign(Manifest{Version: "v1", URL: "a.msi", Size: 1, SHA256: hex.EncodeToString(make([]byte, 32))}, key)
	f.Add(body, sig)
	f.Fuzz(func(t *testing.T, body, sig []byte) {
		m, err := Verify(body, sig, pub, fixedNow)
		if err == nil && (m.Version == "" || m.Size <= 0) {
			t.Fatalf("Verify accepted an invalid manifest: %+v", m)
		}
	})
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("refused download left files behind: %v", entries)
	}
}
