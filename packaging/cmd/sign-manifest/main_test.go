package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/update"
)

func TestKeygenSignVerifyRoundTrip(t *testing.T) {
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) }
	key := filepath.Join(dir, "update.key")
	var out bytes.Buffer
	if err := run([]string{"keygen", "-key", key}, &out, now); err != nil {
		t.Fatal(err)
	}
	pub := strings.TrimSpace(out.String())
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key file: %v, %v", fi, err)
	}
	if err := run([]string{"keygen", "-key", key}, &out, now); err == nil {
		t.Fatal("keygen overwrote an existing key")
	}
	installer := filepath.Join(dir, "homeshore-1.2.0.msi")
	if err := os.WriteFile(installer, []byte("installer bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(dir, "manifest.json")
	if err := run([]string{"sign", "-key", key, "-version", "v1.2.0", "-url", "homeshore-1.2.0.msi", "-file", installer, "-out", manifest}, &out, now); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"verify", "-public-key", pub, "-manifest", manifest, "-file", installer}, &out, now); err != nil {
		t.Fatalf("verify of a fresh manifest: %v", err)
	}
	if err := os.WriteFile(installer, []byte("installer bytez"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"verify", "-public-key", pub, "-manifest", manifest, "-file", installer}, &out, now); !errors.Is(err, update.ErrHashMismatch) {
		t.Fatalf("tampered installer: err = %v, want ErrHashMismatch", err)
	}
	body, _ := os.ReadFile(manifest)
	if err := os.WriteFile(manifest, bytes.Replace(body, []byte("v1.2.0"), []byte("v9.9.9"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run([]string{"verify", "-public-key", pub, "-manifest", manifest}, &out, now); !errors.Is(err, update.ErrBadSignature) {
		t.Fatalf("tampered manifest: err = %v, want ErrBadSignature", err)
	}
}
