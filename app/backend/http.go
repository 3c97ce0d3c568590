// Package backend is the HTTP client of the Homeshore server (API /v1):
// login, tokens, and the calls the app and the CLI make to it.
package backend

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/homeshore/homeshore/server/api"
)

// TokenStore keeps the backend's refresh token between runs. The app backs
// it with the OS keyring (service "homeshore"); tests use MemoryTokenStore.
// Load returns "" with a nil error when no token is stored.
type TokenStore interface {
	Load() (string, error)
	Save(token string) error
	Delete() error
}

// MemoryTokenStore is a TokenStore in memory.
type MemoryTokenStore struct {
	mu    sync.Mutex
	token string
}

// Load returns the stored token.
func (m *MemoryTokenStore) Load() (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.token, nil
}

// Save stores token.
func (m *MemoryTokenStore) Save(token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.token = token
	return nil
}

// Delete forgets the token.
func (m *MemoryTokenStore) Delete() error { return m.Save("") }

// HTTPBackend is the Backend of the reference server (server/, API /v1).
// The access token lives in memory only; the refresh token in the TokenStore.
type HTTPBackend struct {
	base   string
	hc     *http.Client
	tokens TokenStore

	mu        sync.Mutex
	access    string
	accessExp time.Time
}

// requestTimeout bounds one HTTP exchange so a dead link fails fast and the
// sync loop backs off.
const requestTimeout = 20 * time.Second

// NewHTTPBackend talks to the server at baseURL (e.g. https://tickets.example.com).
// hc may be nil for a default client.
func NewHTTPBackend(baseURL string, tokens TokenStore, hc *http.Client) *HTTPBackend {
	if hc == nil {
		hc = &http.Client{Timeout: requestTimeout}
	}
	return &HTTPBackend{base: baseURL, hc: hc, tokens: tokens}
}

// Login trades a username and password for tokens; the refresh token is saved.
func (b *HTTPBackend) Login(ctx context.Context, username, password string) error {
	var tp api.TokenPair
	err := b.send(ctx, "POST", "/v1/auth/login", "", "", api.Login{Username: username, Password: password}, &tp)
	if err != nil {
		var rej *RejectedError
		if errors.As(err, &rej) && rej.Status == http.StatusUnauthorized {
			return fmt.Errorf("ticket server login: wrong username or password: %w", err)
		}
		return fmt.Errorf("ticket server login: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.keep(tp)
}

// keep stores a fresh token pair; b.mu must be held.
func (b *HTTPBackend) keep(tp api.TokenPair) error {
	b.access = tp.AccessToken
	// Renew a little early so a request never leaves with a token about to expire.
	b.accessExp = time.Now().Add(time.Duration(tp.ExpiresIn)*time.Second - 30*time.Second)
	if err := b.tokens.Save(tp.RefreshToken); err != nil {
		return fmt.Errorf("save the ticket server token: %w", err)
	}
	return nil
}

// Logout ends the session on the server (its access and refresh tokens stop
// working at once) and forgets the stored refresh token. The local token is
// forgotten even when the server cannot be reached; the error says so.
func (b *HTTPBackend) Logout(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	rt, _ := b.tokens.Load()
	access := b.access
	b.access = ""
	var err error
	if access == "" && rt != "" {
		// After a restart only the refresh token is left: trade it for an
		// access token of the same session, which the logout then ends.
		var tp api.TokenPair
		if err = b.send(ctx, "POST", "/v1/auth/refresh", "", "", map[string]string{"refresh_token": rt}, &tp); err == nil {
			access, rt = tp.AccessToken, tp.RefreshToken
		}
	}
	if access != "" {
		err = b.send(ctx, "POST", "/v1/auth/logout", access, "", map[string]string{"refresh_token": rt}, nil)
		var rej *RejectedError
		if errors.As(err, &rej) && rej.Status == http.StatusUnauthorized {
			err = nil // already over
		}
	}
	if derr := b.tokens.Delete(); derr != nil {
		err = errors.Join(err, fmt.Errorf("forget the ticket server token: %w", derr))
	}
	if err != nil {
		return fmt.Errorf("ticket server logout: %w", err)
	}
	return nil
}

// token returns a valid access token, refreshing it when needed (force
// after a 401).
func (b *HTTPBackend) token(ctx context.Context, force bool) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !force && b.access != "" && time.Now().Before(b.accessExp) {
		return b.access, nil
	}
	rt, err := b.tokens.Load()
	if err != nil {
		return "", fmt.Errorf("read the ticket server token: %w", err)
	}
	if rt == "" {
		return "", ErrLoginNeeded
	}
	var tp api.TokenPair
	err = b.send(ctx, "POST", "/v1/auth/refresh", "", "", map[string]string{"refresh_token": rt}, &tp)
	var rej *RejectedError
	if errors.As(err, &rej) && rej.Status == http.StatusUnauthorized {
		_ = b.tokens.Delete()
		b.access = ""
		return "", ErrLoginNeeded
	}
	if err != nil {
		return "", err
	}
	if err := b.keep(tp); err != nil {
		return "", err
	}
	return b.access, nil
}

// Do sends one authenticated request to the same server with the same
// session (other clients of the backend share it: refresh tokens rotate, so
// two sessions from one stored token would log each other out). key, when
// set, is the Idempotency-Key; in and out are JSON (nil for none). Errors
// are those of Backend.
func (b *HTTPBackend) Do(ctx context.Context, method, path, key string, in, out any) error {
	return b.call(ctx, method, path, key, in, out)
}

// Stream opens a long-lived GET (server-sent events) with the session's
// token; lastID, when set, is sent as Last-Event-ID. The caller closes the
// body. A non-2xx answer is returned as an error of the Backend kinds.
func (b *HTTPBackend) Stream(ctx context.Context, path, lastID string) (io.ReadCloser, error) {
	hc := *b.hc
	hc.Timeout = 0 // the stream lasts; ctx ends it
	for attempt := 0; ; attempt++ {
		tok, err := b.token(ctx, attempt > 0)
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, "GET", b.base+path, nil)
		if err != nil {
			return nil, fmt.Errorf("ticket server URL %q: %w", b.base, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Accept", "text/event-stream")
		if lastID != "" {
			req.Header.Set("Last-Event-ID", lastID)
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("ticket server unreachable: %w", err)
		}
		if res.StatusCode >= 200 && res.StatusCode < 300 {
			return res.Body, nil
		}
		data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		err = answerError(res.StatusCode, data)
		var rej *RejectedError
		if errors.As(err, &rej) && rej.Status == http.StatusUnauthorized && attempt == 0 {
			continue
		}
		return nil, err
	}
}

// call sends an authenticated request, refreshing the token once on 401.
func (b *HTTPBackend) call(ctx context.Context, method, path, key string, in, out any) error {
	tok, err := b.token(ctx, false)
	if err != nil {
		return err
	}
	err = b.send(ctx, method, path, tok, key, in, out)
	var rej *RejectedError
	if errors.As(err, &rej) && rej.Status == http.StatusUnauthorized {
		if tok, err = b.token(ctx, true); err != nil {
			return err
		}
		err = b.send(ctx, method, path, tok, key, in, out)
	}
	return err
}

// send does one HTTP exchange and maps the answer to the Backend error types.
func (b *HTTPBackend) send(ctx context.Context, method, path, token, key string, in, out any) error {
	var body io.Reader
	if in != nil {
		bs, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(bs)
	}
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, body)
	if err != nil {
		return fmt.Errorf("ticket server URL %q: %w", b.base, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := b.hc.Do(req)
	if err != nil {
		return fmt.Errorf("ticket server unreachable: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("ticket server answer cut off: %w", err)
	}
	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return &StatusError{Status: res.StatusCode, Message: "unreadable answer: " + err.Error()}
		}
		return nil
	}
	return answerError(res.StatusCode, data)
}

// answerError maps a non-2xx answer to the Backend error types.
func answerError(status int, data []byte) error {
	var eb api.ErrorBody
	_ = json.Unmarshal(data, &eb)
	msg := eb.Error.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	switch {
	case status == http.StatusConflict && eb.Error.Code == "version_conflict" && eb.Ticket != nil:
		return &ConflictError{Current: *eb.Ticket}
	case status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500:
		return &StatusError{Status: status, Message: msg}
	case status >= 400:
		return &RejectedError{Status: status, Message: msg}
	}
	return &StatusError{Status: status, Message: msg}
}

// Changes implements Backend.
func (b *HTTPBackend) Changes(ctx context.Context, cursor string, limit int) (api.SyncPage, error) {
	var p api.SyncPage
	q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(limit)}}
	err := b.call(ctx, "GET", "/v1/sync?"+q.Encode(), "", nil, &p)
	return p, err
}

// CreateTicket implements Backend.
func (b *HTTPBackend) CreateTicket(ctx context.Context, key string, t api.NewTicket) (api.Ticket, error) {
	var out api.Ticket
	err := b.call(ctx, "POST", "/v1/tickets", key, t, &out)
	return out, err
}

// AddNote implements Backend.
func (b *HTTPBackend) AddNote(ctx context.Context, key string, n api.Note) (api.Note, error) {
	var out api.Note
	err := b.call(ctx, "POST", "/v1/tickets/"+url.PathEscape(n.TicketID)+"/notes", key,
		api.NewNote{ID: n.ID, Body: n.Body}, &out)
	return out, err
}

// UpdateTicket implements Backend.
func (b *HTTPBackend) UpdateTicket(ctx context.Context, key, ticketID string, p api.TicketPatch) (api.Ticket, error) {
	var out api.Ticket
	err := b.call(ctx, "PATCH", "/v1/tickets/"+url.PathEscape(ticketID), key, p, &out)
	return out, err
}

// LogCall implements Backend.
func (b *HTTPBackend) LogCall(ctx context.Context, key string, c api.CallLog) error {
	return b.call(ctx, "POST", "/v1/calls", key, c, nil)
}

// RecordAgentEvent implements Backend.
func (b *HTTPBackend) RecordAgentEvent(ctx context.Context, key string, e api.AgentEvent) error {
	return b.call(ctx, "POST", "/v1/agent-events", key, e, nil)
}

// Dispositions implements Backend.
func (b *HTTPBackend) Dispositions(ctx context.Context) ([]api.Disposition, error) {
	var out struct {
		Dispositions []api.Disposition `json:"dispositions"`
	}
	err := b.call(ctx, "GET", "/v1/dispositions", "", nil, &out)
	return out.Dispositions, err
}

// Queues lists the queues the logged-in agent works in (GET /v1/queues),
// for a ticket the agent creates.
func (b *HTTPBackend) Queues(ctx context.Context) ([]string, error) {
	var out struct {
		Queues []string `json:"queues"`
	}
	err := b.call(ctx, "GET", "/v1/queues", "", nil, &out)
	return out.Queues, err
}
