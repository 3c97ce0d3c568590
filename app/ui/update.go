package ui

import (
	"context"

	"fyne.io/fyne/v2/dialog"
)

// UpdateAvailable: IT's update, verified (signature and hash) and
// downloaded. The core never sends it during a call. Install is nil where
// the app cannot install it (Linux: IT's repository does, or policy
// installs it on its own); otherwise it runs the installer silently.
type UpdateAvailable struct {
	Version string
	Notes   string
	Install func(context.Context) error
}

func (UpdateAvailable) isEvent() {}

// onUpdate tells the agent; where the app can install, it asks first.
func (c *Controller) onUpdate(ev UpdateAvailable) {
	title := c.tr.T("update.title")
	msg := c.tr.T("update.available", ev.Version)
	if ev.Notes != "" {
		msg += "\n\n" + ev.Notes
	}
	c.notify(title, msg)
	if ev.Install == nil {
		dialog.ShowInformation(title, msg+"\n\n"+c.tr.T("update.by_it"), c.win)
		return
	}
	dialog.ShowConfirm(title, msg+"\n\n"+c.tr.T("update.install_now"), func(ok bool) {
		if !ok {
			return
		}
		c.async(func(ctx context.Context) func() {
			err := ev.Install(ctx)
			return func() {
				if err != nil {
					dialog.ShowError(errorf(c.tr.T("update.failed", err.Error())), c.win)
				}
			}
		})
	}, c.win)
}
