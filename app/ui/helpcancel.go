package ui

import (
	"context"

	"fyne.io/fyne/v2/dialog"
)

// The Help button while the agent's hand is up: it says "Cancel help
// request" (orange) and, after a confirmation, lowers the hand; once a
// supervisor takes the request it is the plain Help button again.

// helpTapped asks for help, or offers to cancel the request that is up.
func (m *messagesUI) helpTapped() {
	if m.raised {
		m.confirmCancelHelp()
		return
	}
	m.askHelp()
}

// setRaised records whether the agent's hand is up and shows it on the
// Help button.
func (m *messagesUI) setRaised(up bool) {
	m.raised = up
	m.showHelp()
}

// confirmCancelHelp asks before lowering the hand (a mistaken tap must not
// cancel a request the agent still needs).
func (m *messagesUI) confirmCancelHelp() {
	t := m.c.tr.T
	d := dialog.NewConfirm(t("msg.help.cancel.title"), t("msg.help.cancel.body"), func(ok bool) {
		m.cancelDlg = nil
		if ok {
			m.cancelHelp()
		}
	}, m.c.win)
	d.SetConfirmText(t("msg.help.cancel"))
	d.SetDismissText(t("msg.help.cancel.keep"))
	m.cancelDlg = d
	d.Show()
}

// cancelHelp lowers the hand; a failure (a supervisor took it meanwhile)
// says why, and the request's own events set the button.
func (m *messagesUI) cancelHelp() {
	mc := m.c.be.Messages
	m.c.async(func(ctx context.Context) func() {
		err := mc.CancelHelp(ctx)
		return func() {
			if err != nil {
				dialog.ShowError(errorf(m.c.tr.T("msg.help.cancel.fail", err.Error())), m.c.win)
				return
			}
			m.setRaised(false)
			if m.win != nil {
				m.reload()
			}
		}
	})
}
