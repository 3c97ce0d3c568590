package server

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/homeshore/homeshore/server/api"
)

// Demo accounts created by SeedDemo; the password is the same for all and is
// for demos and tests only.
const (
	DemoPassword   = "homeshore-demo"
	DemoSupervisor = "sam"
	DemoAgent      = "alice"
	DemoAgent2     = "bob"
)

// DemoQueues are the queues SeedDemo creates.
var DemoQueues = []string{"billing", "support"}

// SeedDemo creates demo queues, accounts (supervisor sam, agent alice in
// billing, agent bob in support; password DemoPassword) and a few tickets.
// It does nothing when the demo supervisor exists.
func (s *Server) SeedDemo(ctx context.Context) error { return s.SeedDemoIn(ctx, "en") }

// demoText is the demo tickets' wording in one language: subjects by
// ticket id, the second customer's name, the first ticket's note.
type demoText struct {
	subjects map[string]string
	customer string
	note     string
}

var demoTexts = map[string]demoText{
	"en": {subjects: map[string]string{"demo-1": "Invoice shows a double charge", "demo-2": "Router keeps disconnecting",
		"demo-3": "Change of address", "demo-4": "Chat: refund status"},
		customer: "John Smith", note: "Customer called on Monday; refund requested from finance."},
	"fr": {subjects: map[string]string{"demo-1": "Facture débitée deux fois", "demo-2": "La box se déconnecte sans arrêt",
		"demo-3": "Changement d'adresse", "demo-4": "Chat : où en est le remboursement"},
		customer: "Julien Moreau", note: "Cliente rappelée lundi ; remboursement demandé à la comptabilité."},
}

// DemoCustomer is the demo's second customer (+1 415 555 0134) in lang,
// as the live demo's caller names himself.
func DemoCustomer(lang string) string { return demoTextIn(lang).customer }

func demoTextIn(lang string) demoText {
	if t, ok := demoTexts[lang]; ok {
		return t
	}
	return demoTexts["en"]
}

// SeedDemoIn is SeedDemo with the tickets written in lang ("en", "fr";
// anything else is English), for a demo shown in that language.
func (s *Server) SeedDemoIn(ctx context.Context, lang string) error {
	text := demoTextIn(lang)
	if _, _, err := s.st.userByName(ctx, DemoSupervisor); err == nil {
		return nil
	}
	for _, q := range DemoQueues {
		if _, err := s.st.CreateQueue(ctx, q); err != nil {
			return err
		}
	}
	users := []api.NewUser{
		{Username: DemoSupervisor, DisplayName: "Sam Supervisor", Password: DemoPassword, Role: api.RoleSupervisor, Queues: DemoQueues},
		{Username: DemoAgent, DisplayName: "Alice Agent", Password: DemoPassword, Role: api.RoleAgent, Queues: []string{"billing"}},
		{Username: DemoAgent2, DisplayName: "Bob Agent", Password: DemoPassword, Role: api.RoleAgent, Queues: []string{"support"}},
	}
	var sup api.User
	for i, u := range users {
		got, err := s.st.CreateUser(ctx, u)
		if err != nil {
			return err
		}
		if i == 0 {
			sup = got
		}
	}
	p := principal{UserID: sup.ID, Role: api.RoleSupervisor, Name: sup.DisplayName}
	demo := []api.NewTicket{
		{ID: "demo-1", CustomerName: "Claire Martin", Phones: []string{"+33 6 12 34 56 78"}, Channel: "phone", Queue: "billing"},
		{ID: "demo-2", CustomerName: text.customer, Phones: []string{"+1 415 555 0134"}, Channel: "phone", Queue: "support"},
		{ID: "demo-3", CustomerName: "Claire Martin", Phones: []string{"+33612345678"}, Channel: "email", Queue: "billing"},
		{ID: "demo-4", CustomerName: "Ana Costa", Phones: []string{"+351 912 345 678"}, Channel: "chat", Queue: "support"},
	}
	for i := range demo {
		demo[i].Subject = text.subjects[demo[i].ID]
	}
	return s.st.writeTx(ctx, func(tx *sql.Tx) error {
		for _, t := range demo {
			if _, _, err := s.createTicket(ctx, tx, p, t); err != nil {
				return fmt.Errorf("seed ticket %s: %w", t.ID, err)
			}
		}
		_, _, err := s.addNote(ctx, tx, p, "demo-1", "demo-1-n1", text.note)
		return err
	})
}

// SeedTickets creates n tickets in queue (which must exist), for benchmarks
// and load tests, with phone numbers +1 202 555 xxxx in batches of 500 per
// transaction. Ids are prefix-N.
func (s *Server) SeedTickets(ctx context.Context, queue, prefix string, n int) error {
	var qid string
	if err := s.st.rdb.QueryRowContext(ctx, `SELECT id FROM queues WHERE name = $1`, queue).Scan(&qid); err != nil {
		return fmt.Errorf("queue %s: %w", queue, err)
	}
	p := principal{UserID: "seed", Role: api.RoleSupervisor, Name: "seed"}
	for start := 0; start < n; start += 500 {
		err := s.st.writeTx(ctx, func(tx *sql.Tx) error {
			for i := start; i < n && i < start+500; i++ {
				t := api.NewTicket{ID: fmt.Sprintf("%s-%d", prefix, i), CustomerName: fmt.Sprintf("Customer %d", i),
					Phones: []string{fmt.Sprintf("+1202555%04d", i%10000)}, Subject: "Seeded ticket", Queue: queue}
				if _, _, err := s.createTicket(ctx, tx, p, t); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed tickets: %w", err)
		}
	}
	return nil
}

// EnsureSupervisor creates a supervisor account unless the username exists.
func (s *Server) EnsureSupervisor(ctx context.Context, username, password string) error {
	if _, _, err := s.st.userByName(ctx, username); err == nil {
		return nil
	}
	_, err := s.st.CreateUser(ctx, api.NewUser{Username: username, Password: password, Role: api.RoleSupervisor})
	return err
}
