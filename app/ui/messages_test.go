package ui

import (
	"context"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// fakeMessages is a MessageClient in memory.
type fakeMessages struct {
	mu      sync.Mutex
	items   []Message
	read    bool
	helps   []string
	cancels int
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

// failingMessages fails every send and help request.
type failingMessages struct{ fakeMessages }

func (*failingMessages) Send(context.Context, string) error { return errNotFound }

// TestMessagesByKeyboard: the messages window was a bare list with a
// multi-line field that Enter could not send from, no empty text, no way to
// close it from the keyboard; Help was a permanent orange button whose
// dialog Enter could not submit. Now: "No messages yet", Enter sends, a
// failed send keeps the text and says so, Esc closes; Enter in the help
// note raises the hand, the button says "Cancel help request" until a supervisor
// takes it.
func TestMessagesByKeyboard(t *testing.T) {
	f := newFake().configured()
	msgs := &fakeMessages{}
	f.messages = msgs
	c := onShift(t, f, "en")
	m := c.msgs
	if m.help.Text != "Help" || m.help.Importance == widget.WarningImportance {
		t.Fatalf("help button %q importance %v: a plain Help until the hand is up", m.help.Text, m.help.Importance)
	}
	test.Tap(m.button)
	if !m.empty.Visible() || m.empty.Text != "No messages yet." {
		t.Fatalf("empty thread: %q visible %v", m.empty.Text, m.empty.Visible())
	}
	test.Type(m.entry, "On my way back from break")
	m.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(msgs.items) != 1 || msgs.items[0].Body != "On my way back from break" || m.entry.Text != "" || m.empty.Visible() {
		t.Fatalf("Enter did not send: %+v, entry %q", msgs.items, m.entry.Text)
	}
	m.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if m.win != nil {
		t.Fatal("Esc must close the messages window")
	}

	test.Tap(m.help)
	if m.helpNote == nil {
		t.Fatal("no help dialog")
	}
	test.Type(m.helpNote, "Customer wants a manager")
	m.helpNote.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(msgs.helps) != 1 || msgs.helps[0] != "Customer wants a manager" {
		t.Fatalf("Enter in the note did not raise the hand: %v", msgs.helps)
	}
	if m.help.Text != "Cancel help request" || m.help.Importance != widget.WarningImportance {
		t.Fatalf("after raising: %q", m.help.Text)
	}
	c.handle(MessagesChanged{HelpTakenBy: "Sam Supervisor"})
	if m.help.Text != "Help" {
		t.Fatalf("after a supervisor took it: %q", m.help.Text)
	}

	// A send that fails keeps what was typed and says what to do.
	f2 := newFake().configured()
	f2.messages = &failingMessages{}
	c2 := onShift(t, f2, "fr")
	test.Tap(c2.msgs.button)
	test.Type(c2.msgs.entry, "Bonjour")
	c2.msgs.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if c2.msgs.entry.Text != "Bonjour" || !c2.msgs.errText.Visible() || c2.msgs.errText.Text == "" {
		t.Fatalf("failed send: entry %q, message %q", c2.msgs.entry.Text, c2.msgs.errText.Text)
	}
}
