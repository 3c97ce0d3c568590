package demo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/ui"
)

// customer is one simulated caller.
type customer struct {
	name, phone string
}

var customers = []customer{
	{"Claire Martin", "+33612345678"},
	{"John Miller", "+15551234567"},
	{"Sophie Bernard", "+33698765432"},
	{"Ahmed Benali", "+33755512345"},
}

func nameFor(number string) string {
	for _, c := range customers {
		if c.phone == number {
			return c.name
		}
	}
	return ""
}

// tickets is the sample ticket backend.
type tickets struct {
	mu      sync.Mutex
	byPhone map[string][]ui.Ticket
	next    int
	logged  []ui.CallLog
}

// frenchTickets are the sample tickets' texts for a demo shown in French.
var frenchTickets = map[string]string{
	"Internet box reboots every night":                         "La box internet redémarre toutes les nuits",
	"Box replaced; customer to call back if it happens again.": "Box remplacée ; la cliente rappelle si cela recommence.",
	"Wrong invoice amount for October":                         "Montant de la facture d'octobre erroné",
	"Order #55812 not delivered":                               "Commande n° 55812 non livrée",
	"Cancel subscription":                                      "Résiliation de l'abonnement",
	"Change of address":                                        "Changement d'adresse",
	"Router replacement":                                       "Remplacement du routeur",
}

// newTickets is the sample backend with its texts in lang ("en", "fr").
func newTickets(lang string) *tickets {
	t := newEnglishTickets()
	if lang != "fr" {
		return t
	}
	for _, list := range t.byPhone {
		for i := range list {
			list[i].Subject = frenchTickets[list[i].Subject]
			for j := range list[i].Notes {
				list[i].Notes[j].Body = frenchTickets[list[i].Notes[j].Body]
			}
		}
	}
	return t
}

func newEnglishTickets() *tickets {
	day := func(n int) time.Time { return time.Now().AddDate(0, 0, -n).Truncate(24 * time.Hour) }
	return &tickets{next: 1050, byPhone: map[string][]ui.Ticket{
		"+33612345678": {
			{ID: "1042", Subject: "Internet box reboots every night", Status: "open", Customer: "Claire Martin", Queue: "support", Updated: day(1),
				UpdatedBy: "Sam Supervisor", Notes: []ui.Note{{Author: "Alice Agent", Body: "Box replaced; customer to call back if it happens again.", At: day(1)}}},
			{ID: "0987", Subject: "Wrong invoice amount for October", Status: "resolved", Customer: "Claire Martin", Queue: "billing", Updated: day(23)},
		},
		"+15551234567": {
			{ID: "1031", Subject: "Order #55812 not delivered", Status: "pending", Customer: "John Miller", Queue: "support", Updated: day(3)},
		},
		"+33698765432": {
			{ID: "1044", Subject: "Cancel subscription", Status: "open", Customer: "Sophie Bernard", Queue: "billing", Updated: day(0)},
			{ID: "1012", Subject: "Change of address", Status: "resolved", Customer: "Sophie Bernard", Queue: "billing", Updated: day(12)},
			{ID: "0950", Subject: "Router replacement", Status: "closed", Customer: "Sophie Bernard", Queue: "support", Updated: day(40)},
		},
	}}
}

func (t *tickets) LookupByPhone(ctx context.Context, phone string) ([]ui.Ticket, error) {
	if !sleep(ctx, 200*time.Millisecond) {
		return nil, ctx.Err()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]ui.Ticket(nil), t.byPhone[phone]...), nil
}

func (t *tickets) Ticket(_ context.Context, id string) (ui.Ticket, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, list := range t.byPhone {
		for _, tk := range list {
			if tk.ID == id {
				return tk, nil
			}
		}
	}
	return ui.Ticket{}, fmt.Errorf("ticket %s is not in the demo", id)
}

func (t *tickets) AddNote(_ context.Context, id, text string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, list := range t.byPhone {
		for i := range list {
			if list[i].ID == id {
				list[i].Notes = append(list[i].Notes, ui.Note{Author: "Alice Agent", Body: text, At: time.Now()})
				return nil
			}
		}
	}
	return fmt.Errorf("ticket %s is not in the demo", id)
}

func (t *tickets) Queues(context.Context) ([]string, error) {
	return []string{"support", "billing"}, nil
}

func (t *tickets) Dispositions(context.Context) ([]ui.Disposition, error) {
	return []ui.Disposition{
		{Code: "resolved", Label: "Resolved"},
		{Code: "callback", Label: "Callback scheduled"},
		{Code: "escalated", Label: "Escalated"},
		{Code: "sale", Label: "Sale"},
		{Code: "wrong_number", Label: "Wrong number"},
		{Code: "transferred", Label: "Transferred"},
	}, nil
}

func (t *tickets) LogCall(_ context.Context, log ui.CallLog) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if log.CreateTicket {
		t.next++
		log.TicketID = fmt.Sprint(t.next)
		tk := ui.Ticket{ID: log.TicketID, Subject: log.Subject, Status: "open", Customer: log.CustomerName, Queue: log.Queue, Updated: time.Now()}
		t.byPhone[log.Remote] = append([]ui.Ticket{tk}, t.byPhone[log.Remote]...)
	}
	if log.TicketID != "" && log.Note != "" {
		list := t.byPhone[log.Remote]
		for i := range list {
			if list[i].ID == log.TicketID {
				list[i].Notes = append(list[i].Notes, ui.Note{Author: "Alice Agent", Body: log.Note, At: time.Now()})
			}
		}
	}
	t.logged = append(t.logged, log)
	return log.TicketID, nil
}

func (t *tickets) logs() []ui.CallLog {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]ui.CallLog(nil), t.logged...)
}
