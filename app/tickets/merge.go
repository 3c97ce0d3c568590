package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// applyPatch returns t with p's fields set.
func applyPatch(t Ticket, p TicketPatch) Ticket {
	if p.CustomerName != nil {
		t.CustomerName = *p.CustomerName
	}
	if p.Phones != nil {
		t.Phones = *p.Phones
	}
	if p.Subject != nil {
		t.Subject = *p.Subject
	}
	if p.Status != nil {
		t.Status = *p.Status
	}
	if p.Queue != nil {
		t.Queue = *p.Queue
	}
	if p.AssigneeID != nil {
		t.AssigneeID = *p.AssigneeID
	}
	return t
}

// patchField is one editable field: its name for the agent, how to read it
// from a ticket, and how to drop it from a patch.
type patchField struct {
	name string
	set  func(TicketPatch) (string, bool)
	get  func(Ticket) string
	drop func(*TicketPatch)
}

var patchFields = []patchField{
	{"customer name", func(p TicketPatch) (string, bool) { return deref(p.CustomerName) }, func(t Ticket) string { return t.CustomerName }, func(p *TicketPatch) { p.CustomerName = nil }},
	{"phone numbers", func(p TicketPatch) (string, bool) {
		if p.Phones == nil {
			return "", false
		}
		return strings.Join(*p.Phones, ", "), true
	}, func(t Ticket) string { return strings.Join(t.Phones, ", ") }, func(p *TicketPatch) { p.Phones = nil }},
	{"subject", func(p TicketPatch) (string, bool) { return deref(p.Subject) }, func(t Ticket) string { return t.Subject }, func(p *TicketPatch) { p.Subject = nil }},
	{"status", func(p TicketPatch) (string, bool) { return deref(p.Status) }, func(t Ticket) string { return t.Status }, func(p *TicketPatch) { p.Status = nil }},
	{"queue", func(p TicketPatch) (string, bool) { return deref(p.Queue) }, func(t Ticket) string { return t.Queue }, func(p *TicketPatch) { p.Queue = nil }},
	{"assignee", func(p TicketPatch) (string, bool) { return deref(p.AssigneeID) }, func(t Ticket) string { return t.AssigneeID }, func(p *TicketPatch) { p.AssigneeID = nil }},
}

func deref(s *string) (string, bool) {
	if s == nil {
		return "", false
	}
	return *s, true
}

// rebase splits the agent's patch against the server's current ticket:
// fields the server left as they were in base are kept (to re-send on top of
// current), fields someone else changed are dropped and reported.
func rebase(p TicketPatch, base, current Ticket) (TicketPatch, []FieldChange) {
	var changes []FieldChange
	for _, f := range patchFields {
		mine, ok := f.set(p)
		if !ok {
			continue
		}
		if theirs := f.get(current); theirs != f.get(base) {
			if theirs != mine {
				changes = append(changes, FieldChange{Field: f.name, Mine: mine, Theirs: theirs, By: current.UpdatedBy})
			}
			f.drop(&p)
		}
	}
	p.Version = current.Version
	return p, changes
}

func emptyPatch(p TicketPatch) bool {
	for _, f := range patchFields {
		if _, ok := f.set(p); ok {
			return false
		}
	}
	return true
}

// conflictMessage is the one line the agent reads.
func conflictMessage(changes []FieldChange) string {
	var parts []string
	for _, ch := range changes {
		by := ch.By
		if by == "" {
			by = "Someone"
		}
		parts = append(parts, fmt.Sprintf("%s changed the %s to %q (yours: %q)", by, ch.Field, ch.Theirs, ch.Mine))
	}
	return strings.Join(parts, "; ") + ". Their change was kept."
}

// deliverPatch sends a field edit. On a version conflict it stores the
// server's ticket, re-queues the fields nobody else changed on top of the
// new version (with a new idempotency key: the body changed) and reports
// the others.
func (c *Client) deliverPatch(ctx context.Context, e outboxEntry, p patchEntry, done func(func(*sql.Tx) error) error) error {
	got, err := c.be.UpdateTicket(ctx, e.key, p.TicketID, p.Patch)
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		cur := conflict.Current
		rest, changes := rebase(p.Patch, p.Base, cur)
		err = c.st.tx(ctx, func(tx *sql.Tx) error {
			if err := putTicket(ctx, tx, cur, c.opt.Region); err != nil {
				return err
			}
			if emptyPatch(rest) {
				_, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE seq = $1`, e.seq)
				return err
			}
			cur.Notes = nil
			if err := putTicket(ctx, tx, applyPatch(cur, rest), c.opt.Region); err != nil {
				return err
			}
			b, err := jsonString(patchEntry{TicketID: p.TicketID, Patch: rest, Base: cur})
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `UPDATE outbox SET idem_key = $1, payload = $2 WHERE seq = $3`, newID(), b, e.seq)
			return err
		})
		if err != nil {
			return err
		}
		if len(changes) > 0 {
			c.opt.Notify(Notice{Kind: NoticeConflict, TicketID: p.TicketID, Changes: changes, Message: conflictMessage(changes)})
		}
		return nil
	}
	if err != nil {
		return err
	}
	return done(func(tx *sql.Tx) error { return putTicket(ctx, tx, got, c.opt.Region) })
}
