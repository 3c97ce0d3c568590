package tickets

import "context"

// Backend is the ticket system the client syncs with. The HTTP reference
// backend implements it (HTTPBackend); another ticket system plugs in by
// implementing these calls. Every write carries an idempotency key: the
// backend must apply a write at most once per key, and answer a repeated key
// as it answered the first time.
//
// Errors: *ConflictError for a stale UpdateTicket, *RejectedError for a
// write that will never succeed, ErrLoginNeeded when credentials are
// missing; anything else is taken as temporary and retried.
type Backend interface {
	Changes(ctx context.Context, cursor string, limit int) (Page, error)
	CreateTicket(ctx context.Context, key string, t NewTicket) (Ticket, error)
	AddNote(ctx context.Context, key string, n Note) (Note, error)
	UpdateTicket(ctx context.Context, key, ticketID string, p TicketPatch) (Ticket, error)
	LogCall(ctx context.Context, key string, c CallLog) error
	RecordAgentEvent(ctx context.Context, key string, e AgentEvent) error
	Dispositions(ctx context.Context) ([]Disposition, error)
}
