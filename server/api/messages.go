package api

import "time"

// Message kinds.
const (
	KindMessage = "message"
	KindHelp    = "help"
)

// NewMessage is the body of POST /v1/messages. ID is chosen by the sender
// (a UUID) so a resent message is stored once. To names one user; Queue a
// queue to broadcast to (supervisors only); neither, from an agent: the
// supervisors of the agent's queues.
type NewMessage struct {
	ID     string    `json:"id"`
	To     string    `json:"to,omitempty"`
	Queue  string    `json:"queue,omitempty"`
	Body   string    `json:"body"`
	SentAt time.Time `json:"sent_at"`
}

// NewHelp is the body of POST /v1/help: an agent raises a hand.
type NewHelp struct {
	ID     string    `json:"id"`
	Body   string    `json:"body,omitempty"`
	SentAt time.Time `json:"sent_at"`
}

// Message is a stored message or help request. Seq orders changes (a help
// request taken changes its Seq); From, To and TakenBy are usernames.
type Message struct {
	ID          string     `json:"id"`
	Seq         int64      `json:"seq"`
	Kind        string     `json:"kind"`
	From        string     `json:"from"`
	FromName    string     `json:"from_name"`
	To          string     `json:"to,omitempty"`
	ToName      string     `json:"to_name,omitempty"`
	Queue       string     `json:"queue,omitempty"`
	Body        string     `json:"body"`
	SentAt      time.Time  `json:"sent_at"`
	CreatedAt   time.Time  `json:"created_at"`
	TakenBy     string     `json:"taken_by,omitempty"`
	TakenByName string     `json:"taken_by_name,omitempty"`
	TakenAt     *time.Time `json:"taken_at,omitempty"`
	// CancelledAt is when the agent cancelled their help request.
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
}

// MessagePage is one page of GET /v1/messages: messages and help requests
// visible to the caller changed after the cursor, in change order.
type MessagePage struct {
	Messages   []Message `json:"messages"`
	NextCursor string    `json:"next_cursor"`
	More       bool      `json:"more"`
}
