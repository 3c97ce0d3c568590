package tickets

import (
	"reflect"
	"testing"
)

func TestRebaseKeepsUntouchedFieldsAndReportsOthers(t *testing.T) {
	str := func(s string) *string { return &s }
	base := Ticket{ID: "t", Status: "open", Subject: "old", Queue: "billing", Version: 1}
	current := base
	current.Status, current.Version, current.UpdatedBy = "closed", 2, "Sam"
	p := TicketPatch{Version: 1, Status: str("pending"), Subject: str("new")}
	rest, changes := rebase(p, base, current)
	if rest.Version != 2 || rest.Status != nil || rest.Subject == nil || *rest.Subject != "new" {
		t.Fatalf("rest: %+v", rest)
	}
	want := []FieldChange{{Field: "status", Mine: "pending", Theirs: "closed", By: "Sam"}}
	if !reflect.DeepEqual(changes, want) {
		t.Fatalf("changes: %+v", changes)
	}
	if got := conflictMessage(changes); got != `Sam changed the status to "closed" (yours: "pending"). Their change was kept.` {
		t.Fatalf("message: %s", got)
	}
	// Both sides wrote the same value: nothing to tell, nothing to resend.
	rest, changes = rebase(TicketPatch{Status: str("closed")}, base, current)
	if !emptyPatch(rest) || len(changes) != 0 {
		t.Fatalf("same value: %+v %+v", rest, changes)
	}
}

func TestNormalizePhone(t *testing.T) {
	for in, want := range map[string]string{
		"+33 6 12 34 56 78": "+33612345678",
		"(202) 555-0147":    "+12025550147",
		"+1-202-555-0147":   "+12025550147",
	} {
		if got, ok := NormalizePhone(in, "US"); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	if got, ok := NormalizePhone("06 12 34 56 78", "FR"); !ok || got != "+33612345678" {
		t.Errorf("French national format: %q %v", got, ok)
	}
	for _, bad := range []string{"", "call me", "12"} {
		if _, ok := NormalizePhone(bad, "US"); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
