// Command sign-manifest is IT's tool for Homeshore update manifests: it makes
// the ed25519 key pair (the public half goes into the policy's
// update.public_key), signs a manifest for an installer, and verifies one.
//
//	sign-manifest keygen -key update.key
//	sign-manifest sign -key update.key -version v1.2.0 -url homeshore-1.2.0.msi -file dist/homeshore-1.2.0.msi -out manifest.json [-expires 720h]
//	sign-manifest verify -public-key BASE64 -manifest manifest.json [-file installer]
package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/homeshore/homeshore/app/update"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, time.Now); err != nil {
		fmt.Fprintln(os.Stderr, "sign-manifest:", err)
		os.Exit(1)
	}
}

const usage = "usage: sign-manifest keygen|sign|verify [flags] (see -h of each)"

func run(args []string, stdout io.Writer, now func() time.Time) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "keygen":
		return keygen(args[1:], stdout)
	case "sign":
		return sign(args[1:], stdout, now)
	case "verify":
		return verify(args[1:], stdout, now)
	default:
		return fmt.Errorf("unknown command %q; %s", args[0], usage)
	}
}

func keygen(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	keyPath := fs.String("key", "", "write the private key (base64 seed) to this new file, mode 0600")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyPath == "" {
		return errors.New("keygen needs -key FILE")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("generate key: %w", err)
	}
	f, err := os.OpenFile(*keyPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write private key: %w (refusing to overwrite an existing key)", err)
	}
	if _, err := fmt.Fprintln(f, base64.StdEncoding.EncodeToString(priv.Seed())); err != nil {
		f.Close()
		return fmt.Errorf("write private key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write private key: %w", err)
	}
	fmt.Fprintln(stdout, base64.StdEncoding.EncodeToString(pub))
	return nil
}

func sign(args []string, stdout io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	keyPath := fs.String("key", "", "private key file from keygen")
	version := fs.String("version", "", "release version, as the binary reports it (v1.2.0)")
	url := fs.String("url", "", "installer URL, absolute or relative to the manifest's URL")
	file := fs.String("file", "", "the installer, to compute its SHA-256 and size")
	out := fs.String("out", "manifest.json", "manifest to write; the signature goes to OUT.sig")
	expires := fs.Duration("expires", 90*24*time.Hour, "how long the manifest stays valid (0: never expires)")
	notes := fs.String("notes", "", "release notes shown to agents")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keyPath == "" || *version == "" || *url == "" || *file == "" {
		return errors.New("sign needs -key, -version, -url and -file")
	}
	key, err := readPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	sum, size, err := hashFile(*file)
	if err != nil {
		return err
	}
	m := update.Manifest{Version: *version, URL: *url, SHA256: sum, Size: size, Notes: *notes}
	if *expires > 0 {
		m.Expires = now().Add(*expires).UTC().Truncate(time.Second)
	}
	body, sig, err := update.Sign(m, key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, body, 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := os.WriteFile(*out+".sig", sig, 0o644); err != nil {
		return fmt.Errorf("write signature: %w", err)
	}
	fmt.Fprintf(stdout, "signed %s (%s, sha256 %s); publish it with %s.sig next to it\n", *out, *version, sum, *out)
	return nil
}

func verify(args []string, stdout io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	pubB64 := fs.String("public-key", "", "base64 ed25519 public key (the policy's update.public_key)")
	manifest := fs.String("manifest", "manifest.json", "manifest to check; its signature is read from MANIFEST.sig")
	file := fs.String("file", "", "optional: also check this installer against the manifest")
	if err := fs.Parse(args); err != nil {
		return err
	}
	pub, err := update.ParsePublicKey(*pubB64)
	if err != nil {
		return err
	}
	body, err := os.ReadFile(*manifest)
	if err != nil {
		return fmt.Errorf("read manifest: %w", err)
	}
	sig, err := os.ReadFile(*manifest + ".sig")
	if err != nil {
		return fmt.Errorf("read signature: %w", err)
	}
	m, err := update.Verify(body, sig, pub, now())
	if err != nil {
		return err
	}
	if *file != "" {
		sum, size, err := hashFile(*file)
		if err != nil {
			return err
		}
		if sum != m.SHA256 || size != m.Size {
			return update.ErrHashMismatch
		}
	}
	fmt.Fprintf(stdout, "manifest OK: %s %s\n", m.Version, m.URL)
	return nil
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	seed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s is not a key written by sign-manifest keygen", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("read installer: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("read installer: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
