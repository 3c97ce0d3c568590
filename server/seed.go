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
func (s *Server) SeedDemo(ctx context.Context) error {
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
		{ID: "demo-1", CustomerName: "Claire Martin", Phones: []string{"+33 6 12 34 56 78"}, Subject: "Invoice shows a double charge", Channel: "phone", Queue: "billing"},
		{ID: "demo-2", CustomerName: "John Smith", Phones: []string{"+1 415 555 0134"}, Subject: "Router keeps disconnecting", Channel: "phone", Queue: "support"},
		{ID: "demo-3", CustomerName: "Claire Martin", Phones: []string{"+33612345678"}, Subject: "Change of address", Channel: "email", Queue: "billing"},
		{ID: "demo-4", CustomerName: "Ana Costa", Phones: []string{"+351 912 345 678"}, Subject: "Chat: refund status", Channel: "chat", Queue: "support"},
	}
	return s.st.writeTx(ctx, func(tx *sql.Tx) error {
		for _, t := range demo {
			if _, _, err := s.createTicket(ctx, tx, p, t); err != nil {
				return fmt.Errorf("seed ticket %s: %w", t.ID, err)
			}
		}
		_, _, err := s.addNote(ctx, tx, p, "demo-1", "demo-1-n1", "Customer called on Monday; refund requested from finance.")
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
