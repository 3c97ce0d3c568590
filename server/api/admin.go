package api

import "time"

// Member is one person of a queue, as the queue administration lists it.
type Member struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

// QueueMembers is a queue with its agents and supervisors
// (GET /v1/admin/queues, and the answer to a membership change).
type QueueMembers struct {
	Name        string   `json:"name"`
	Agents      []Member `json:"agents"`
	Supervisors []Member `json:"supervisors"`
}

// QueueList is GET /v1/admin/queues: every queue, by name.
type QueueList struct {
	Queues []QueueMembers `json:"queues"`
}

// UserList is GET /v1/admin/users: every account with its queues.
type UserList struct {
	Users []User `json:"users"`
}

// AuditEntry is one administrative change (GET /v1/admin/audit): who did
// what, to which queue and account, when.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Queue  string    `json:"queue,omitempty"`
	Target string    `json:"target,omitempty"`
}

// AuditLog is GET /v1/admin/audit.
type AuditLog struct {
	Entries []AuditEntry `json:"entries"`
}

// Audit actions.
const (
	AuditMemberAdd    = "queue.member.add"
	AuditMemberRemove = "queue.member.remove"
	AuditQueueCreate  = "queue.create"
	AuditUserCreate   = "user.create"
)

// LiveMembers is the internal live event of a queue membership change: open
// streams recompute who they may see (a supervisor's gets a new snapshot).
// It is never sent to clients as such.
const LiveMembers = "members"
