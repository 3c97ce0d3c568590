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

func newTickets() *tickets {
	day := func(n int) time.Time { return time.Now().AddDate(0, 0, -n).Truncate(24 * time.Hour) }
	return &tickets{next: 1050, byPhone: map[string][]ui.Ticket{
		"+33612345678": {
			{ID: "1042", Subject: "Internet box reboots every night", Status: "open", Updated: day(1)},
			{ID: "0987", Subject: "Wrong invoice amount for October", Status: "solved", Updated: day(23)},
		},
		"+15551234567": {
			{ID: "1031", Subject: "Order #55812 not delivered", Status: "pending", Updated: day(3)},
		},
		"+33698765432": {
			{ID: "1044", Subject: "Cancel subscription", Status: "open", Updated: day(0)},
			{ID: "1012", Subject: "Change of address", Status: "solved", Updated: day(12)},
			{ID: "0950", Subject: "Router replacement", Status: "solved", Updated: day(40)},
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

func (t *tickets) Dispositions(context.Context) ([]ui.Disposition, error) {
	return []ui.Disposition{
		{Code: "resolved", Label: "Resolved"},
		{Code: "callback", Label: "Call back needed"},
		{Code: "escalated", Label: "Escalated to level 2"},
		{Code: "sale", Label: "Sale"},
		{Code: "wrong_number", Label: "Wrong number"},
	}, nil
}

func (t *tickets) LogCall(_ context.Context, log ui.CallLog) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if log.CreateTicket {
		t.next++
		log.TicketID = fmt.Sprint(t.next)
		t.byPhone[log.Remote] = append([]ui.Ticket{{ID: log.TicketID, Subject: "Call " + log.Start.Format("2006-01-02 15:04"), Status: "open", Updated: time.Now()}}, t.byPhone[log.Remote]...)
	}
	t.logged = append(t.logged, log)
	return nil
}

func (t *tickets) logs() []ui.CallLog {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]ui.CallLog(nil), t.logged...)
}
