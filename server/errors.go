package server

import (
	"errors"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
	"net/http"
)

// Sentinels callers of the library API branch on.
var (
	ErrNotFound       = errors.New("not found")
	ErrUnknownDriver  = errors.New("unknown database driver (want sqlite or postgres)")
	ErrBadCredentials = errors.New("wrong username or password")
)

// apiError is an error with the HTTP status and stable code the API reports.
// Ticket is set on a version conflict so the client can merge at once.
type apiError struct {
	Status  int
	Code    string
	Message string
	Ticket  *api.Ticket
	// RetryAfter, in seconds, is sent as the Retry-After header when set.
	RetryAfter int
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func badRequest(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Message: fmt.Sprintf(format, args...)}
}

func notFound(what string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

func forbidden(msg string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: msg}
}

var errUnauthorized = &apiError{Status: http.StatusUnauthorized, Code: "unauthorized",
	Message: "missing, expired or invalid token: log in again or refresh the token"}

// errIdempotencyRace means a concurrent request with the same key won; the
// transaction is retried and then replays the winner's stored response.
var errIdempotencyRace = errors.New("idempotency key committed concurrently")
