package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// MessageClient is the agent's side of the messages with supervisors and
// of help requests (app/messages through the core). Optional: without it
// the home screen has neither the Messages nor the Help button.
type MessageClient interface {
	List(ctx context.Context) ([]Message, error)
	// Send writes to the supervisors of the agent's queues.
	Send(ctx context.Context, body string) error
	// Help raises the agent's hand on the supervisors' wallboard.
	Help(ctx context.Context, note string) error
	// CancelHelp lowers it again, before a supervisor took the request.
	CancelHelp(ctx context.Context) error
	// MarkRead marks every message as seen.
	MarkRead(ctx context.Context) error
}

// Message is one message or help request as the panel shows it.
type Message struct {
	ID       string
	FromName string
	Body     string
	At       time.Time
	Mine     bool
	Help     bool
	Pending  bool
	// TakenBy names the supervisor who took a help request.
	TakenBy string
	// Cancelled: the agent cancelled this help request.
	Cancelled bool
}

// MessagesChanged: messages arrived or changed. Unread counts those not yet
// seen; HelpTakenBy names a supervisor who just took the agent's request.
type MessagesChanged struct {
	Unread      int
	HelpTakenBy string
}

func (MessagesChanged) isEvent() {}

// messagesUI is the Messages and Help buttons of the home screen and the
// messages window. The window is separate, so a message never covers the
// customer's details during a call: it opens when the agent asks.
type messagesUI struct {
	c       *Controller
	button  *widget.Button
	help    *widget.Button
	unread  int
	win     fyne.Window
	thread  *fyne.Container
	scroll  *container.Scroll
	empty   *widget.Label
	items   []Message
	entry   *keyEntry
	errText *widget.Label
	// raised: the agent's hand is up and no supervisor took it yet.
	raised bool
	// helpNote is the open help dialog's note (nil when none is open).
	helpNote *keyEntry
	helpDlg  *dialog.ConfirmDialog
	// cancelDlg is the open "cancel your help request?" dialog (helpcancel.go).
	cancelDlg *dialog.ConfirmDialog
}

// messageButtons returns the home header's Messages and Help buttons, or
// nothing without a message client.
func (c *Controller) messageButtons() []fyne.CanvasObject {
	if c.be.Messages == nil {
		return nil
	}
	if c.msgs == nil {
		c.msgs = &messagesUI{c: c}
	}
	m := c.msgs
	t := c.tr.T
	m.button = widget.NewButtonWithIcon(t("msg.button"), theme.MailComposeIcon(), m.open)
	m.help = widget.NewButtonWithIcon(t("msg.help"), theme.QuestionIcon(), m.helpTapped)
	m.showUnread()
	m.showHelp()
	return []fyne.CanvasObject{m.button, m.help}
}

// showHelp: a plain Help button; "Cancel help request" in orange while the
// hand is up, until a supervisor takes it (helpcancel.go).
func (m *messagesUI) showHelp() {
	if m.help == nil {
		return
	}
	if m.raised {
		m.help.SetText(m.c.tr.T("msg.help.cancel"))
		m.help.Importance = widget.WarningImportance
	} else {
		m.help.SetText(m.c.tr.T("msg.help"))
		m.help.Importance = widget.MediumImportance
	}
	m.help.Refresh()
}

func (m *messagesUI) showUnread() {
	if m.button == nil {
		return
	}
	if m.unread > 0 {
		m.button.SetText(m.c.tr.T("msg.button.unread", m.unread))
		m.button.Importance = widget.HighImportance
	} else {
		m.button.SetText(m.c.tr.T("msg.button"))
		m.button.Importance = widget.MediumImportance
	}
	m.button.Refresh()
}

// onMessages applies a MessagesChanged event (Fyne thread).
func (c *Controller) onMessages(ev MessagesChanged) {
	if c.msgs == nil {
		c.msgs = &messagesUI{c: c}
	}
	m := c.msgs
	m.unread = ev.Unread
	if ev.HelpTakenBy != "" {
		c.notify(c.tr.T("msg.help"), c.tr.T("msg.help.taken", ev.HelpTakenBy))
		m.setRaised(false)
	}
	if m.win != nil {
		m.reload()
		return
	}
	m.showUnread()
}

// open shows the messages window (one at a time).
func (m *messagesUI) open() {
	if m.win != nil {
		m.win.RequestFocus()
		return
	}
	t := m.c.tr.T
	w := m.c.app.NewWindow(t("msg.title"))
	m.win = w
	// A thread of a shift's messages is short: a box of rows, each as tall
	// as its text (a list's rows would cut a long message off).
	m.thread = container.NewVBox()
	m.scroll = container.NewVScroll(m.thread)
	m.empty = widget.NewLabelWithStyle(t("msg.empty"), fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	// Enter (or Ctrl+Enter) sends; Esc closes; the call shortcuts still
	// reach the call from here.
	m.entry = m.c.newEntry()
	m.entry.SetPlaceHolder(t("msg.placeholder"))
	m.entry.OnSubmitted = func(string) { m.send() }
	m.entry.submit = m.send
	m.entry.escape = w.Close
	m.errText = widget.NewLabel("")
	m.errText.Wrapping = fyne.TextWrapWord
	m.errText.Importance = widget.DangerImportance
	m.errText.Hide()
	send := widget.NewButtonWithIcon(t("msg.send"), theme.MailSendIcon(), m.send)
	send.Importance = widget.HighImportance
	closeB := widget.NewButtonWithIcon(t("msg.close"), theme.CancelIcon(), w.Close)
	hint := widget.NewLabel(t("msg.hint"))
	hint.SizeName = theme.SizeNameCaptionText
	intro := wrapLabel(t("msg.intro"))
	bottom := container.NewVBox(m.errText, container.NewBorder(nil, nil, nil, send, m.entry),
		container.NewBorder(nil, nil, hint, closeB))
	w.SetContent(container.NewPadded(container.NewBorder(intro, bottom, nil, nil,
		container.NewStack(m.scroll, container.NewCenter(m.empty)))))
	w.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			w.Close()
		}
	})
	for _, sc := range shortcuts() {
		if sc.modifier != 0 && sc.key != fyne.KeyReturn && sc.key != fyne.KeyEnter {
			chord := &desktop.CustomShortcut{KeyName: sc.key, Modifier: sc.modifier}
			w.Canvas().AddShortcut(chord, func(fyne.Shortcut) { m.c.runShortcut(chord) })
		}
	}
	w.Resize(fyne.NewSize(480, 560))
	w.SetOnClosed(func() { m.win, m.thread, m.scroll, m.entry, m.empty = nil, nil, nil, nil, nil })
	w.Show()
	w.Canvas().Focus(m.entry)
	m.reload()
}

// showThread lists the messages, newest last, and scrolls to it.
func (m *messagesUI) showThread() {
	rows := make([]fyne.CanvasObject, 0, 2*len(m.items))
	for i, msg := range m.items {
		if i > 0 {
			rows = append(rows, widget.NewSeparator())
		}
		meta := widget.NewLabel(m.metaLine(msg))
		meta.TextStyle = fyne.TextStyle{Italic: true}
		meta.SizeName = theme.SizeNameCaptionText
		body := widget.NewLabel(m.bodyLine(msg))
		body.Wrapping = fyne.TextWrapWord
		rows = append(rows, container.New(layout.NewCustomPaddedVBoxLayout(-theme.Padding()*2), meta, body))
	}
	m.thread.Objects = rows
	// Twice: a wrapped message knows its height only once the first
	// layout gave it its width.
	m.scroll.Refresh()
	m.scroll.Refresh()
	m.scroll.ScrollToBottom()
}

func (m *messagesUI) metaLine(msg Message) string {
	t := m.c.tr.T
	who := msg.FromName
	if msg.Mine {
		who = t("msg.me")
	}
	line := who + " · " + msg.At.Local().Format("15:04")
	if msg.Help {
		line = t("msg.help.label") + " · " + line
		if msg.TakenBy != "" {
			line += " · " + t("msg.taken.by", msg.TakenBy)
		}
		if msg.Cancelled {
			line += " · " + t("msg.help.cancelled")
		}
	}
	if msg.Pending {
		line += " · " + t("msg.pending")
	}
	return line
}

func (m *messagesUI) bodyLine(msg Message) string {
	if msg.Body == "" && msg.Help {
		return m.c.tr.T("msg.help.nonote")
	}
	return msg.Body
}

// reload reads the messages (off the Fyne thread), shows them and marks
// them read, since the window is open.
func (m *messagesUI) reload() {
	mc := m.c.be.Messages
	m.c.async(func(ctx context.Context) func() {
		items, err := mc.List(ctx)
		if err == nil {
			err = mc.MarkRead(ctx)
		}
		return func() {
			if m.win == nil {
				return
			}
			if err != nil {
				m.showError(m.c.tr.T("msg.fail.read", err.Error()))
				return
			}
			m.items, m.unread = items, 0
			m.empty.Hidden = len(items) > 0
			m.showThread()
			m.showUnread()
		}
	})
}

// showError says what went wrong under the thread ("" hides it).
func (m *messagesUI) showError(msg string) {
	m.errText.SetText(msg)
	m.errText.Hidden = msg == ""
	m.errText.Refresh()
}

func (m *messagesUI) send() {
	if m.entry == nil {
		return
	}
	body := strings.TrimSpace(m.entry.Text)
	if body == "" {
		return
	}
	mc := m.c.be.Messages
	m.c.async(func(ctx context.Context) func() {
		err := mc.Send(ctx, body)
		return func() {
			if m.win == nil {
				return
			}
			if err != nil {
				m.showError(m.c.tr.T("msg.fail", err.Error()))
				return // what was typed stays, to send again
			}
			m.showError("")
			m.entry.SetText("")
			m.reload()
		}
	})
}

// askHelp asks for an optional note, then raises the agent's hand. Enter
// in the note raises it; the dialog closes when a call rings.
func (m *messagesUI) askHelp() {
	t := m.c.tr.T
	note := m.c.newEntry()
	note.SetPlaceHolder(t("msg.help.note"))
	var d *dialog.ConfirmDialog
	d = dialog.NewCustomConfirm(t("msg.help.title"), t("msg.help.send"), t("msg.cancel"),
		container.NewVBox(wrapLabel(t("msg.help.intro")), note), func(ok bool) {
			m.helpNote, m.helpDlg = nil, nil
			if ok {
				m.raiseHand(note.Text)
			}
		}, m.c.win)
	note.OnSubmitted = func(string) { d.Confirm() }
	note.escape = d.Hide
	m.helpNote, m.helpDlg = note, d
	d.Resize(fitSize(m.c.win, fyne.NewSize(520, 240)))
	m.c.track(d)
	d.Show()
	m.c.win.Canvas().Focus(note)
}

// raiseHand sends the help request; the button says the hand is up.
func (m *messagesUI) raiseHand(note string) {
	t := m.c.tr.T
	mc := m.c.be.Messages
	m.c.async(func(ctx context.Context) func() {
		err := mc.Help(ctx, strings.TrimSpace(note))
		return func() {
			if err != nil {
				m.c.showError(errorf(t("msg.help.fail", err.Error())))
				return
			}
			m.setRaised(true)
			if m.win != nil {
				m.reload()
			}
		}
	})
}
