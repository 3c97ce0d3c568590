package core

import (
	"errors"
	"fmt"
	"sync"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
)

// secretStore is ui.SecretStore over the OS keyring. The GUI names secrets
// by role ("sip-password"); the keyring files a SIP password under its
// account (config.SIPPasswordKey), as the headless commands read it.
type secretStore struct {
	store config.SecretStore
	cfg   *configStore

	mu sync.Mutex
	// pending is a password typed in first-run setup before SaveAccount
	// told us whose it is; memory only, never written to a file.
	pending string
}

func (s *secretStore) sipKey() (string, bool) {
	a := s.cfg.account()
	if a.Server == "" || (a.User == "" && a.AuthUser == "") {
		return "", false
	}
	return config.SIPPasswordKey(pick(a.AuthUser, a.User), a.Server), true
}

// Get returns an error when the secret is absent, as the GUI expects.
func (s *secretStore) Get(key string) (string, error) {
	switch key {
	case ui.SecretSIPPassword:
		s.mu.Lock()
		pending := s.pending
		s.mu.Unlock()
		a := s.cfg.account()
		pw, err := config.SIPPassword(s.store, pick(a.AuthUser, a.User), a.Server)
		if err != nil {
			return "", err
		}
		if k, ok := s.sipKey(); ok && pw == "" {
			// An empty HOMESHORE_SIP_PASSWORD must not hide the keyring's.
			if v, gerr := s.store.Get(k); gerr == nil {
				pw = v
			}
		}
		if pw == "" {
			pw = pending
		}
		if pw == "" {
			return "", fmt.Errorf("no SIP password: %w", config.ErrSecretNotFound)
		}
		return pw, nil
	case ui.SecretBackendToken:
		return s.store.Get(tokenKey)
	}
	return s.store.Get(key)
}

// Set stores a secret in the keyring.
func (s *secretStore) Set(key, value string) error {
	switch key {
	case ui.SecretSIPPassword:
		s.mu.Lock()
		s.pending = value
		s.mu.Unlock()
		if k, ok := s.sipKey(); ok {
			return s.store.Set(k, value)
		}
		return nil
	case ui.SecretBackendToken:
		return s.store.Set(tokenKey, value)
	}
	return s.store.Set(key, value)
}

// accountSaved files the password typed with the account under its entry.
func (s *secretStore) accountSaved() error {
	s.mu.Lock()
	pw := s.pending
	s.mu.Unlock()
	k, ok := s.sipKey()
	if pw == "" || !ok {
		return nil
	}
	return s.store.Set(k, pw)
}

// tokenKey is the keyring entry of the ticket backend's refresh token.
const tokenKey = ui.SecretBackendToken

// keyringTokens is backend.TokenStore over the keyring.
type keyringTokens struct{ store config.SecretStore }

func (k keyringTokens) Load() (string, error) {
	v, err := k.store.Get(tokenKey)
	if errors.Is(err, config.ErrSecretNotFound) {
		return "", nil
	}
	return v, err
}

func (k keyringTokens) Save(token string) error { return k.store.Set(tokenKey, token) }
func (k keyringTokens) Delete() error           { return k.store.Delete(tokenKey) }

func pick(first, second string) string {
	if first != "" {
		return first
	}
	return second
}
