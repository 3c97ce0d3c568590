//go:build packaging

package pkgtest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/update"
)

// TestUpdateManifestForTheBuiltMSI walks IT's release flow on the real MSI:
// sign-manifest makes a key and signs a manifest; the app's update checker
// fetches it from a local HTTP server, verifies it, downloads the MSI, and
// refuses a swapped MSI or a manifest edited after signing.
func TestUpdateManifestForTheBuiltMSI(t *testing.T) {
	msi := artifact(t, "windows/homeshore-*.msi")
	installer, err := os.ReadFile(msi)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "update.key")
	pub := strings.TrimSpace(string(runIn(t, "..", "go", "run", "./cmd/sign-manifest", "keygen", "-key", key)))
	site := t.TempDir()
	name := filepath.Base(msi)
	runIn(t, "..", "go", "run", "./cmd/sign-manifest", "sign", "-key", key, "-version", "v99.0.0", "-url", name,
		"-file", msi, "-out", filepath.Join(site, "manifest.json"), "-expires", "24h")

	served := map[string][]byte{name: installer}
	for _, f := range []string{"manifest.json", "manifest.json.sig"} {
		b, err := os.ReadFile(filepath.Join(site, f))
		if err != nil {
			t.Fatal(err)
		}
		served[f] = b
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := served[strings.TrimPrefix(r.URL.Path, "/homeshore/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)

	checker, err := update.NewChecker(srv.URL+"/homeshore/manifest.json", pub, "v1.0.0", srv.Client(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := checker.Check(ctx)
	if err != nil || !res.Available {
		t.Fatalf("Check = %+v, %v; want v99.0.0 available", res, err)
	}
	got, err := checker.Download(ctx, res.Manifest, t.TempDir())
	if err != nil {
		t.Fatalf("Download: %v", err)
	}
	if b, _ := os.ReadFile(got); !bytes.Equal(b, installer) {
		t.Fatal("downloaded MSI differs from the built one")
	}

	// A swapped installer on the server.
	swapped := bytes.Clone(installer)
	swapped[len(swapped)/2] ^= 1
	served[name] = swapped
	if _, err := checker.Download(ctx, res.Manifest, t.TempDir()); !errors.Is(err, update.ErrHashMismatch) {
		t.Errorf("swapped MSI: err = %v, want ErrHashMismatch", err)
	}
	// A manifest edited after signing (pointing elsewhere).
	served["manifest.json"] = bytes.Replace(served["manifest.json"], []byte(name), []byte("evil.msi"), 1)
	if _, err := checker.Check(ctx); !errors.Is(err, update.ErrBadSignature) {
		t.Errorf("edited manifest: err = %v, want ErrBadSignature", err)
	}
}

func runIn(t *testing.T, dir, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr)
	}
	return out
}
