package backend

import (
	"errors"
	"fmt"

	"github.com/homeshore/homeshore/server/api"
)

// ErrLoginNeeded is returned when the server wants credentials again.
var ErrLoginNeeded = errors.New("not logged in to the ticket backend: log in again")

// ConflictError is a field edit based on an old version; Current is the
// server's ticket now.
type ConflictError struct{ Current api.Ticket }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("ticket %s changed on the server (now version %d)", e.Current.ID, e.Current.Version)
}

// RejectedError is a write the backend refuses for good (validation,
// permissions): retrying cannot help.
type RejectedError struct {
	Status  int
	Message string
}

func (e *RejectedError) Error() string { return fmt.Sprintf("rejected (%d): %s", e.Status, e.Message) }

// StatusError is a temporary HTTP failure (5xx, 429, unexpected answers).
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("ticket backend answered %d: %s", e.Status, e.Message)
}
