package config

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name of every Homeshore secret.
const KeyringService = "homeshore"

// EnvSIPPassword lets headless runs pass the SIP password without a keyring.
const EnvSIPPassword = "HOMESHORE_SIP_PASSWORD"

// ErrSecretNotFound means the keyring holds no such secret.
var ErrSecretNotFound = errors.New("secret not found in the keyring")

// SecretStore keeps secrets (SIP password, backend tokens).
type SecretStore interface {
	Get(key string) (string, error)
	Set(key, value string) error
	Delete(key string) error
}

// Keyring is the OS keyring: Secret Service on Linux, Credential Manager
// on Windows, Keychain on macOS.
type Keyring struct{}

// Get returns ErrSecretNotFound when the key is absent.
func (Keyring) Get(key string) (string, error) {
	v, err := keyring.Get(KeyringService, key)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", ErrSecretNotFound
	}
	if err != nil {
		return "", fmt.Errorf("the OS keyring is not available (%v): unlock it or set %s", err, EnvSIPPassword)
	}
	return v, nil
}

// Set stores or replaces a secret.
func (Keyring) Set(key, value string) error {
	if err := keyring.Set(KeyringService, key, value); err != nil {
		return fmt.Errorf("the OS keyring refused to store the secret: %w", err)
	}
	return nil
}

// Delete removes a secret; deleting an absent one is not an error.
func (Keyring) Delete(key string) error {
	err := keyring.Delete(KeyringService, key)
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("the OS keyring refused to delete the secret: %w", err)
	}
	return nil
}

// SIPPasswordKey names the keyring entry of a SIP account's password.
func SIPPasswordKey(authUser, server string) string {
	return "sip:" + authUser + "@" + server
}

// SIPPassword finds the password of a SIP account: the environment first
// (headless runs), then the keyring. An absent password is "" and no error.
func SIPPassword(store SecretStore, authUser, server string) (string, error) {
	if v, ok := os.LookupEnv(EnvSIPPassword); ok {
		return v, nil
	}
	v, err := store.Get(SIPPasswordKey(authUser, server))
	if errors.Is(err, ErrSecretNotFound) {
		return "", nil
	}
	return v, err
}

// MemorySecrets keeps secrets in memory only: for the demo, which must
// never touch the agent's real keyring, and for tests of logic.
type MemorySecrets struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemorySecrets returns an empty in-memory store.
func NewMemorySecrets() *MemorySecrets { return &MemorySecrets{m: map[string]string{}} }

// Get returns ErrSecretNotFound when the key is absent.
func (s *MemorySecrets) Get(k string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[k]
	if !ok {
		return "", ErrSecretNotFound
	}
	return v, nil
}

// Set stores or replaces a secret.
func (s *MemorySecrets) Set(k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = v
	return nil
}

// Delete removes a secret.
func (s *MemorySecrets) Delete(k string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, k)
	return nil
}
