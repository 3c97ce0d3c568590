package livestatus

import (
	"context"

	"github.com/homeshore/homeshore/server/api"
)

// Doer is the authenticated request of backend.HTTPBackend (one session
// shared with the ticket client).
type Doer interface {
	Do(ctx context.Context, method, path, key string, in, out any) error
}

// NewHTTPSender sends statuses to homeshore-server through d.
func NewHTTPSender(d Doer) Sender { return httpSender{d} }

type httpSender struct{ d Doer }

func (h httpSender) SendStatus(ctx context.Context, st api.LiveStatus) error {
	return h.d.Do(ctx, "PUT", "/v1/live/status", "", st, nil)
}
