package update

import (
	"errors"
	"fmt"
)

// Sentinels callers branch on; each message says what the agent or IT should do.
var (
	ErrNotConfigured = errors.New("updates are not configured: IT sets update.manifest_url and update.public_key in the policy")
	ErrBadPublicKey  = errors.New("the update public key in the policy is not a base64 ed25519 key: ask IT to fix update.public_key")
	ErrBadSignature  = errors.New("the update manifest's signature does not match IT's public key: update refused, tell IT")
	ErrBadManifest   = errors.New("the update manifest is malformed: update refused, tell IT")
	ErrExpired       = errors.New("the update manifest has expired: update refused, tell IT to re-sign it")
	ErrHashMismatch  = errors.New("the downloaded installer does not match the manifest's SHA-256: update refused and the file deleted, tell IT")
	ErrTooLarge      = errors.New("the download is larger than the manifest says: update refused, tell IT")
	// ErrInstallUnsupported: this OS installs updates through IT (apt/dnf repository).
	ErrInstallUnsupported = errors.New("this system installs Homeshore updates through IT's package repository, not from the app")
)

// FetchError reports an HTTP answer other than 200 for the manifest, its signature or the installer.
type FetchError struct {
	URL    string
	Status int
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("update server answered %d for %s: check the update URL or try later", e.Status, e.URL)
}
