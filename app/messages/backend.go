package messages

import (
	"context"
	"io"
	"net/url"
	"strconv"

	"github.com/homeshore/homeshore/server/api"
)

// Backend is the message service the client syncs with. Errors follow
// app/backend: *backend.RejectedError for a send that will never succeed,
// backend.ErrLoginNeeded without credentials, anything else is temporary.
type Backend interface {
	SendMessage(ctx context.Context, key string, m api.NewMessage) (api.Message, error)
	RaiseHelp(ctx context.Context, key string, h api.NewHelp) (api.Message, error)
	// CancelHelp lowers the agent's hand (help request id) before anyone took it.
	CancelHelp(ctx context.Context, id string) (api.Message, error)
	Messages(ctx context.Context, cursor string, limit int) (api.MessagePage, error)
	// Stream opens the live event stream; each event means "something
	// changed, pull". The caller closes it.
	Stream(ctx context.Context) (io.ReadCloser, error)
}

// Session is the authenticated access of backend.HTTPBackend, shared with
// the ticket client (refresh tokens rotate: one session per app).
type Session interface {
	Do(ctx context.Context, method, path, key string, in, out any) error
	Stream(ctx context.Context, path, lastID string) (io.ReadCloser, error)
}

// NewHTTPBackend is the Backend of homeshore-server through s.
func NewHTTPBackend(s Session) Backend { return httpBackend{s} }

type httpBackend struct{ s Session }

func (h httpBackend) SendMessage(ctx context.Context, key string, m api.NewMessage) (api.Message, error) {
	var out api.Message
	err := h.s.Do(ctx, "POST", "/v1/messages", key, m, &out)
	return out, err
}

func (h httpBackend) RaiseHelp(ctx context.Context, key string, in api.NewHelp) (api.Message, error) {
	var out api.Message
	err := h.s.Do(ctx, "POST", "/v1/help", key, in, &out)
	return out, err
}

func (h httpBackend) CancelHelp(ctx context.Context, id string) (api.Message, error) {
	var out api.Message
	err := h.s.Do(ctx, "POST", "/v1/help/"+url.PathEscape(id)+"/cancel", "", nil, &out)
	return out, err
}

func (h httpBackend) Messages(ctx context.Context, cursor string, limit int) (api.MessagePage, error) {
	var out api.MessagePage
	q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(limit)}}
	err := h.s.Do(ctx, "GET", "/v1/messages?"+q.Encode(), "", nil, &out)
	return out, err
}

func (h httpBackend) Stream(ctx context.Context) (io.ReadCloser, error) {
	return h.s.Stream(ctx, "/v1/live/stream", "")
}
