package config

import (
	"errors"
	"os"
	"testing"

	"github.com/homeshore/homeshore/internal/testenv"
)

// TestKeyringRoundTrip uses the real Secret Service (gnome-keyring in the
// D-Bus session that scripts/with-test-env.sh starts).
func TestKeyringRoundTrip(t *testing.T) {
	testenv.Require(t, os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "", "a D-Bus session with gnome-keyring (run under scripts/with-test-env.sh)")
	var k Keyring
	key := SIPPasswordKey("alice-"+t.Name(), "pbx.example.com")
	t.Cleanup(func() { _ = k.Delete(key) })
	if _, err := k.Get(key); !errors.Is(err, ErrSecretNotFound) {
		t.Fatalf("absent secret: err = %v, want ErrSecretNotFound", err)
	}
	if err := k.Set(key, "p@ss wörd"); err != nil {
		t.Fatalf("keyring refused a secret: %v", err)
	}
	got, err := k.Get(key)
	if err != nil || got != "p@ss wörd" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	t.Setenv(EnvSIPPassword, "")
	os.Unsetenv(EnvSIPPassword)
	if pw, err := SIPPassword(k, "alice-"+t.Name(), "pbx.example.com"); err != nil || pw != "p@ss wörd" {
		t.Fatalf("SIPPassword from keyring = %q, %v", pw, err)
	}
	if err := k.Delete(key); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete(key); err != nil {
		t.Fatalf("deleting an absent secret: %v", err)
	}
}

type mapStore map[string]string

func (m mapStore) Get(k string) (string, error) {
	v, ok := m[k]
	if !ok {
		return "", ErrSecretNotFound
	}
	return v, nil
}
func (m mapStore) Set(k, v string) error { m[k] = v; return nil }
func (m mapStore) Delete(k string) error { delete(m, k); return nil }

func TestSIPPasswordPrefersEnvironment(t *testing.T) {
	store := mapStore{SIPPasswordKey("bob", "pbx"): "from-keyring"}
	t.Setenv(EnvSIPPassword, "from-env")
	if pw, _ := SIPPassword(store, "bob", "pbx"); pw != "from-env" {
		t.Fatalf("got %q, want the environment's", pw)
	}
	os.Unsetenv(EnvSIPPassword)
	if pw, _ := SIPPassword(store, "bob", "pbx"); pw != "from-keyring" {
		t.Fatalf("got %q, want the keyring's", pw)
	}
	if pw, err := SIPPassword(store, "carol", "pbx"); pw != "" || err != nil {
		t.Fatalf("absent password = %q, %v; want empty, no error", pw, err)
	}
}

func TestProfileSaveIsAtomicAndPrivate(t *testing.T) {
	path := t.TempDir() + "/sub/profile.json"
	p := Profile{SIP: SIPAccount{Server: "pbx.example.com", User: "1001", Codecs: []string{"opus"}}}
	if err := SaveProfile(path, p); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("profile mode %v, %v; want 0600", fi.Mode(), err)
	}
	got, err := LoadProfile(path)
	if err != nil || got.SIP.Server != "pbx.example.com" || got.SIP.Codecs[0] != "opus" {
		t.Fatalf("round trip = %+v, %v", got, err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadProfile(path); err == nil {
		t.Fatal("a corrupt profile loaded without error")
	}
	if got, err := LoadProfile(t.TempDir() + "/missing.json"); err != nil || got.SIP.Server != "" {
		t.Fatalf("missing profile = %+v, %v; want empty", got, err)
	}
}
