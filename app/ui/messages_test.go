package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// fakeMessages is a MessageClient in memory.
type fakeMessages struct {
	mu    sync.Mutex
	items []Message
	read  bool
	helps []string
}

func (m *fakeMessages) List(context.Context) ([]Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Message(nil), m.items...), nil
}

func (m *fakeMessages) Send(_ context.Context, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = append(m.items, Message{ID: body, Body: body, Mine: true, Pending: true, At: time.Now()})
	return nil
}

func (m *fakeMessages) Help(_ context.Context, note string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.helps = append(m.helps, note)
	return nil
}

func (m *fakeMessages) MarkRead(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.read = true
	return nil
}

// TestMessagesPanel: the home screen's Messages button counts unread
// messages without opening anything over the call; the window lists the
// thread, marks it read and sends; Help raises the agent's hand.
func TestMessagesPanel(t *testing.T) {
	f := newFake().configured()
	msgs := &fakeMessages{items: []Message{{ID: "1", FromName: "Sam Supervisor", Body: "Break at 11", At: time.Now()}}}
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
	if m == nil || m.button == nil || m.help == nil {
		t.Fatal("no Messages and Help buttons on the home screen")
	}
	c.handle(MessagesChanged{Unread: 2})
	if m.button.Text != "Messages (2)" || m.win != nil {
		t.Fatalf("after two messages: %q, window open %v", m.button.Text, m.win != nil)
	}
	test.Tap(m.button)
	if m.win == nil || len(m.items) != 1 || m.unread != 0 || !msgs.read || m.button.Text != "Messages" {
		t.Fatalf("window %v, items %d, unread %d, read %v, button %q", m.win != nil, len(m.items), m.unread, msgs.read, m.button.Text)
	}
	test.Type(m.entry, "Bien reçu")
	m.send()
	if len(m.items) != 2 || !m.items[1].Mine || m.entry.Text != "" {
		t.Fatalf("after send: %+v, entry %q", m.items, m.entry.Text)
	}
	if line := m.metaLine(m.items[1]); line == "" || line[:4] != "Vous" {
		t.Fatalf("own message line %q", line)
	}
	c.handle(MessagesChanged{HelpTakenBy: "Sam Supervisor"})
	m.win.Close()
	if m.win != nil {
		t.Fatal("window still referenced after closing")
	}
}
