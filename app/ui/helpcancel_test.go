package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func (m *fakeMessages) CancelHelp(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cancels++
	return nil
}

// TestHelpButtonCancels: once the agent raised their hand, the Help button
// says so and offers to cancel it (after a confirmation); a supervisor
// taking the request makes it the plain Help button again.
func TestHelpButtonCancels(t *testing.T) {
	f := newFake().configured()
	msgs := &fakeMessages{}
	a := test.NewTempApp(t)
	be := f.backend()
	be.Messages = msgs
	c, err := newController(a, Options{Backend: be, Language: "fr"}, func(work func()) { work() })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.cancel)
	c.showHome()
	m := c.msgs
	m.raiseHand("client agressif")
	if len(msgs.helps) != 1 || m.help.Text != "Annuler la demande d’aide" || m.help.Importance != widget.WarningImportance {
		t.Fatalf("after raising the hand: helps %v, button %q", msgs.helps, m.help.Text)
	}
	test.Tap(m.help)
	if m.cancelDlg == nil {
		t.Fatal("tapping the raised Help button did not ask to cancel")
	}
	m.cancelDlg.Dismiss() // "Keep it": nothing cancelled
	if msgs.cancels != 0 || !m.raised {
		t.Fatalf("kept: cancels %d, raised %v", msgs.cancels, m.raised)
	}
	test.Tap(m.help)
	m.cancelDlg.Confirm()
	if msgs.cancels != 1 || m.raised || m.help.Text != "Aide" {
		t.Fatalf("after cancelling: cancels %d, raised %v, button %q", msgs.cancels, m.raised, m.help.Text)
	}

	m.raiseHand("")
	c.handle(MessagesChanged{HelpTakenBy: "Sam Supervisor"})
	if m.raised || m.help.Text != "Aide" {
		t.Fatalf("after a supervisor took it: raised %v, button %q", m.raised, m.help.Text)
	}
	test.Tap(m.help) // asks for help again, no cancel offered
	if m.cancelDlg != nil || msgs.cancels != 1 {
		t.Fatal("the plain Help button offered to cancel")
	}
	if line := m.metaLine(Message{Help: true, Mine: true, Cancelled: true, At: time.Now()}); !strings.Contains(line, "annulée") {
		t.Fatalf("a cancelled request in the thread: %q", line)
	}
}
