package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ticketView is one ticket opened from the screen-pop: its whole thread
// and a field to add a note, also during the call.
type ticketView struct {
	c      *Controller
	id     string
	dlg    dialog.Dialog
	head   *widget.Label
	meta   *widget.Label
	thread *fyne.Container
	scroll *container.Scroll
	note   *keyEntry
	add    *widget.Button
	status *widget.Label
}

// openTicket shows a ticket's thread (read from the local store).
func (c *Controller) openTicket(id string) {
	t := c.tr.T
	v := &ticketView{c: c, id: id}
	v.head = heading(t("pop.loading"))
	v.head.Wrapping = fyne.TextWrapWord
	v.meta = widget.NewLabel("")
	v.meta.Wrapping = fyne.TextWrapWord
	v.thread = container.NewVBox()
	v.scroll = container.NewVScroll(v.thread)
	v.scroll.SetMinSize(fyne.NewSize(0, 260))
	v.note = c.newMultiLineEntry()
	v.note.SetPlaceHolder(t("ticket.note.hint"))
	v.note.SetMinRowsVisible(3)
	v.add = widget.NewButtonWithIcon(t("ticket.note.add"), theme.ContentAddIcon(), v.addNote)
	v.add.Importance = widget.HighImportance
	v.status = widget.NewLabel("")
	v.status.Wrapping = fyne.TextWrapWord
	body := container.NewBorder(container.NewVBox(v.head, v.meta), container.NewVBox(v.note, container.NewBorder(nil, nil, nil, v.add, v.status)),
		nil, nil, v.scroll)
	v.dlg = dialog.NewCustom(t("ticket.title"), t("keys.close"), body, c.win)
	v.dlg.Resize(fitSize(c.win, fyne.NewSize(720, 560)))
	c.track(v.dlg)
	v.dlg.Show()
	c.win.Canvas().Focus(v.note)
	c.ticket = v
	v.load()
}

// fitSize keeps a dialog inside the window.
func fitSize(win fyne.Window, want fyne.Size) fyne.Size {
	have := win.Canvas().Size()
	if have.Width > 0 && want.Width > have.Width-40 {
		want.Width = have.Width - 40
	}
	if have.Height > 0 && want.Height > have.Height-40 {
		want.Height = have.Height - 40
	}
	return want
}

func (v *ticketView) load() {
	c := v.c
	c.async(func(ctx context.Context) func() {
		tk, err := c.be.Tickets.Ticket(ctx, v.id)
		return func() {
			if err != nil {
				v.head.SetText(c.tr.T("ticket.load.fail", shortID(v.id)))
				v.meta.SetText(c.tr.T("ticket.load.fail.what", err.Error()))
				v.add.Disable()
				return
			}
			v.show(tk)
		}
	})
}

func (v *ticketView) show(tk Ticket) {
	c := v.c
	v.head.SetText("#" + shortID(tk.ID) + "  " + tk.Subject)
	meta := c.ticketMeta(tk)
	if tk.Customer != "" {
		meta = tk.Customer + " · " + meta
	}
	v.meta.SetText(meta)
	v.thread.RemoveAll()
	if len(tk.Notes) == 0 {
		v.thread.Add(widget.NewLabel(c.tr.T("ticket.nonotes")))
	}
	for _, n := range tk.Notes {
		who := n.Author
		if who == "" {
			who = c.tr.T("ticket.someone")
		}
		line := c.tr.T("ticket.note.head", who, n.At.Local().Format("2006-01-02 15:04"))
		if n.Pending {
			line += " · " + c.tr.T("ticket.note.pending")
		}
		head := widget.NewLabelWithStyle(line, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		body := widget.NewLabel(n.Body)
		body.Wrapping = fyne.TextWrapWord
		v.thread.Add(container.NewVBox(head, body, widget.NewSeparator()))
	}
	v.scroll.ScrollToBottom()
}

// addNote appends the typed note to the thread.
func (v *ticketView) addNote() {
	c := v.c
	text := strings.TrimSpace(v.note.Text)
	if text == "" {
		v.status.SetText(c.tr.T("ticket.note.empty"))
		c.win.Canvas().Focus(v.note)
		return
	}
	v.add.Disable()
	c.async(func(ctx context.Context) func() {
		err := c.be.Tickets.AddNote(ctx, v.id, text)
		return func() {
			v.add.Enable()
			if err != nil {
				// The text stays in the field: nothing typed is lost.
				v.status.SetText(c.tr.T("ticket.note.fail", err.Error()))
				return
			}
			v.note.SetText("")
			v.status.SetText(c.tr.T("ticket.note.added"))
			v.load()
		}
	})
}

// statusLabel names a ticket status in the agent's language.
func (c *Controller) statusLabel(status string) string {
	return c.tr.Label("ticket.status."+status, status)
}

// lastActivity is when a ticket last changed and who changed it: the
// latest of its own update and its last note (a note is an update by its
// author, whoever touched the fields before).
func lastActivity(tk Ticket) (time.Time, string) {
	at, by := tk.Updated, tk.UpdatedBy
	for _, n := range tk.Notes {
		if n.At.After(at) || n.At.Equal(at) {
			at, by = n.At, n.Author
		}
	}
	return at, by
}
