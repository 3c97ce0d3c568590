package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	list    *widget.List
	items   []Message
	entry   *widget.Entry
	errText *widget.Label
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
	m.help = widget.NewButtonWithIcon(t("msg.help"), theme.QuestionIcon(), m.askHelp)
	m.help.Importance = widget.WarningImportance
	m.showUnread()
	return []fyne.CanvasObject{m.button, m.help}
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
	m.list = widget.NewList(func() int { return len(m.items) },
		func() fyne.CanvasObject {
			meta := widget.NewLabel("")
			meta.TextStyle = fyne.TextStyle{Italic: true}
			body := widget.NewLabel("")
			body.Wrapping = fyne.TextWrapWord
			return container.NewVBox(meta, body)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			msg := m.items[i]
			box.Objects[0].(*widget.Label).SetText(m.metaLine(msg))
			box.Objects[1].(*widget.Label).SetText(m.bodyLine(msg))
		})
	m.entry = widget.NewMultiLineEntry()
	m.entry.SetPlaceHolder(t("msg.placeholder"))
	m.entry.Wrapping = fyne.TextWrapWord
	m.errText = widget.NewLabel("")
	send := widget.NewButtonWithIcon(t("msg.send"), theme.MailSendIcon(), m.send)
	send.Importance = widget.HighImportance
	bottom := container.NewBorder(nil, m.errText, nil, send, m.entry)
	w.SetContent(container.NewBorder(nil, bottom, nil, nil, m.list))
	w.Resize(fyne.NewSize(420, 520))
	w.SetOnClosed(func() { m.win, m.list, m.entry = nil, nil, nil })
	w.Show()
	m.reload()
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
				m.errText.SetText(m.c.tr.T("msg.fail", err.Error()))
				return
			}
			m.items, m.unread = items, 0
			m.list.Refresh()
			if len(items) > 0 {
				m.list.ScrollToBottom()
			}
			m.showUnread()
		}
	})
}

func (m *messagesUI) send() {
	body := m.entry.Text
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
				m.errText.SetText(m.c.tr.T("msg.fail", err.Error()))
				return
			}
			m.errText.SetText("")
			m.entry.SetText("")
			m.reload()
		}
	})
}

// askHelp asks for an optional note, then raises the agent's hand.
func (m *messagesUI) askHelp() {
	t := m.c.tr.T
	note := widget.NewEntry()
	note.SetPlaceHolder(t("msg.help.note"))
	dialog.ShowForm(t("msg.help.title"), t("msg.help.send"), t("msg.cancel"),
		[]*widget.FormItem{widget.NewFormItem(t("msg.help.notelabel"), note)}, func(ok bool) {
			if !ok {
				return
			}
			mc := m.c.be.Messages
			text := note.Text
			m.c.async(func(ctx context.Context) func() {
				err := mc.Help(ctx, text)
				return func() {
					if err != nil {
						dialog.ShowError(errorf(t("msg.fail", err.Error())), m.c.win)
						return
					}
					m.help.SetText(t("msg.help.raised"))
					if m.win != nil {
						m.reload()
					}
				}
			})
		}, m.c.win)
}
