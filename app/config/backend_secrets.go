package config

import (
	"errors"
	"fmt"
	"os"
)

// EnvBackendPassword lets headless runs (homeshore monitor) pass the
// backend password of a supervisor without a keyring.
const EnvBackendPassword = "HOMESHORE_BACKEND_PASSWORD"

// BackendPasswordKey names the keyring entry of a backend account's password.
func BackendPasswordKey(user, url string) string { return "backend:" + user + "@" + url }

// BackendPassword finds a backend account's password: the environment
// first, then the keyring; none is an error that says where to put it.
func BackendPassword(store SecretStore, user, url string) (string, error) {
	if v, ok := os.LookupEnv(EnvBackendPassword); ok && v != "" {
		return v, nil
	}
	v, err := store.Get(BackendPasswordKey(user, url))
	if errors.Is(err, ErrSecretNotFound) {
		return "", fmt.Errorf("no password for %s on %s: set %s or store it in the keyring under %q", user, url, EnvBackendPassword, BackendPasswordKey(user, url))
	}
	return v, err
}
