package tickets

import (
	"errors"

	"github.com/homeshore/homeshore/app/backend"
)

// Errors callers branch on.
var (
	ErrNotFound = errors.New("ticket not found in the local cache")
	ErrClosed   = errors.New("ticket client closed")
	ErrInvalid  = errors.New("invalid input")
	// ErrLoginNeeded is the backend's: the same value, so errors.Is matches
	// whichever package a caller names.
	ErrLoginNeeded = backend.ErrLoginNeeded
)

// The write errors a Backend returns are the HTTP backend's (app/backend),
// which lives apart so that commands talking only to the server do not link
// the local store.
type (
	// ConflictError is a field edit based on an old version.
	ConflictError = backend.ConflictError
	// RejectedError is a write the backend refuses for good.
	RejectedError = backend.RejectedError
	// StatusError is a temporary HTTP failure.
	StatusError = backend.StatusError
)
