//go:build packaging

package pkgtest

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// aptClient runs apt-get/apt-cache with a private state directory and only
// the repository given: the machine's sources, keys and package lists are not used.
type aptClient struct {
	dir string
}

func newAptClient(t *testing.T, repo, keyring string) *aptClient {
	t.Helper()
	c := &aptClient{dir: t.TempDir()}
	for _, d := range []string{"lists/partial", "cache/archives/partial", "trusted.gpg.d", "preferences.d", "download"} {
		if err := os.MkdirAll(filepath.Join(c.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	line := "deb [signed-by=" + keyring + "] file:" + repo + " ./\n"
	if err := os.WriteFile(filepath.Join(c.dir, "sources.list"), []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.dir, "status"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *aptClient) run(tool string, args ...string) (string, error) {
	opts := []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(c.dir, "sources.list"),
		"-o", "Dir::Etc::SourceParts=-",
		"-o", "Dir::Etc::TrustedParts=" + filepath.Join(c.dir, "trusted.gpg.d"),
		"-o", "Dir::Etc::Trusted=" + filepath.Join(c.dir, "trusted.gpg"),
		"-o", "Dir::Etc::PreferencesParts=" + filepath.Join(c.dir, "preferences.d"),
		"-o", "Dir::State::Lists=" + filepath.Join(c.dir, "lists"),
		"-o", "Dir::State::status=" + filepath.Join(c.dir, "status"),
		"-o", "Dir::Cache=" + filepath.Join(c.dir, "cache"),
		"-o", "APT::Sandbox::User=root",
	}
	cmd := exec.Command(tool, append(opts, args...)...)
	cmd.Dir = filepath.Join(c.dir, "download")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func copyRepo(t *testing.T) string {
	t.Helper()
	src := filepath.Join(distDir(t), "linux/apt")
	dst := filepath.Join(t.TempDir(), "apt")
	run(t, "cp", "-r", src, dst)
	return dst
}

func TestAptRepositoryIsSignedAndVerified(t *testing.T) {
	requireTool(t, "apt-get", "apt-cache")
	repo := copyRepo(t)
	c := newAptClient(t, repo, filepath.Join(repo, "homeshore.gpg"))
	if out, err := c.run("apt-get", "update"); err != nil {
		t.Fatalf("apt-get update of the signed repository: %v\n%s", err, out)
	}
	out, err := c.run("apt-cache", "policy", "homeshore")
	if err != nil || !strings.Contains(out, "Candidate: ") || strings.Contains(out, "Candidate: (none)") {
		t.Fatalf("apt-cache policy homeshore: %v\n%s", err, out)
	}
	if out, err := c.run("apt-get", "download", "homeshore"); err != nil {
		t.Fatalf("apt-get download: %v\n%s", err, out)
	}

	// A .deb swapped on the server after the index was signed.
	debs, _ := filepath.Glob(filepath.Join(repo, "*.deb"))
	if len(debs) != 1 {
		t.Fatalf("repository holds %d debs", len(debs))
	}
	swapped := tamperedCopy(t, debs[0], nil, 0)
	run(t, "cp", swapped, debs[0])
	c2 := newAptClient(t, repo, filepath.Join(repo, "homeshore.gpg"))
	c2.run("apt-get", "update")
	out, err = c2.run("apt-get", "download", "homeshore")
	if err == nil || !strings.Contains(out, "Hash Sum mismatch") && !strings.Contains(out, "Size mismatch") {
		t.Errorf("apt-get download of a swapped .deb: err %v, want a hash or size mismatch\n%s", err, out)
	}
}

func TestAptRepositoryRejectsTampering(t *testing.T) {
	requireTool(t, "apt-get", "gpg")
	t.Run("edited Packages index", func(t *testing.T) {
		repo := copyRepo(t)
		editGzip(t, filepath.Join(repo, "Packages.gz"), "Maintainer: ", "Maintainer: Mallory ")
		os.Remove(filepath.Join(repo, "Packages"))
		out, err := newAptClient(t, repo, filepath.Join(repo, "homeshore.gpg")).run("apt-get", "update")
		if err == nil || !strings.Contains(out, "Hash Sum mismatch") {
			t.Errorf("err %v, want Hash Sum mismatch\n%s", err, out)
		}
	})
	t.Run("edited InRelease", func(t *testing.T) {
		repo := copyRepo(t)
		b, err := os.ReadFile(filepath.Join(repo, "InRelease"))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte("Label: Homeshore"), []byte("Label: Homeshorf"), 1)
		if err := os.WriteFile(filepath.Join(repo, "InRelease"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Remove(filepath.Join(repo, "Release"))
		os.Remove(filepath.Join(repo, "Release.gpg"))
		out, err := newAptClient(t, repo, filepath.Join(repo, "homeshore.gpg")).run("apt-get", "update")
		if err == nil || !strings.Contains(out, "BADSIG") {
			t.Errorf("err %v, want BADSIG\n%s", err, out)
		}
	})
	t.Run("key nobody trusts", func(t *testing.T) {
		repo := copyRepo(t)
		home := t.TempDir()
		t.Cleanup(func() { exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run() })
		run(t, "gpg", "--homedir", home, "--batch", "--passphrase", "", "--quick-gen-key", "Somebody Else <else@invalid>", "ed25519", "sign", "1d")
		other := filepath.Join(t.TempDir(), "other.gpg")
		run(t, "gpg", "--homedir", home, "--batch", "--output", other, "--export")
		out, err := newAptClient(t, repo, other).run("apt-get", "update")
		if err == nil || !strings.Contains(out, "NO_PUBKEY") {
			t.Errorf("err %v, want NO_PUBKEY\n%s", err, out)
		}
	})
}

func editGzip(t *testing.T, path, old, new string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(bytes.Replace(b, []byte(old), []byte(new), 1))
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
