package ui

import (
	"image/color"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// The desktop shell around the window: system tray, keyboard shortcuts
// and the light/dark theme.

// installTray puts the state and quick actions in the system tray. Fyne's
// tray must be set up before the app runs and needs a D-Bus session: without
// one its shutdown dereferences a nil connection, so we skip the tray then.
func (c *Controller) installTray() {
	_, desk := c.app.(desktop.App)
	c.trayOn = desk && !c.opts.NoTray && os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
	c.refreshTray()
}

func (c *Controller) refreshTray() {
	desk, ok := c.app.(desktop.App)
	if !ok || !c.trayOn || c.tr == nil {
		return
	}
	t := c.tr.T
	status := fyne.NewMenuItem(t("tray.state", c.stateText(c.status.State, c.status.Reason)), nil)
	status.Disabled = true
	items := []*fyne.MenuItem{status, fyne.NewMenuItemSeparator()}
	if c.unseenMissed > 0 {
		missed := fyne.NewMenuItem(t("recent.missed.badge", c.unseenMissed), nil)
		missed.Disabled = true
		items = append(items, missed)
	}
	if (c.call != nil && c.call.ringing) || c.waiting != nil {
		items = append(items, fyne.NewMenuItem(t("call.answer"), c.answer), fyne.NewMenuItem(t("call.reject"), c.reject))
	} else if c.call != nil {
		items = append(items, fyne.NewMenuItem(t("call.hangup"), c.hangup), fyne.NewMenuItem(t("call.mute"), c.toggleMute))
	}
	if c.status.State != StateOffline {
		for _, ch := range c.stateChoices() {
			if ch.state != StateOffline {
				ch := ch
				items = append(items, fyne.NewMenuItem(ch.label, func() { c.setState(ch.state, ch.reason) }))
			}
		}
	}
	items = append(items, fyne.NewMenuItemSeparator(), fyne.NewMenuItem(t("tray.show"), func() { c.win.Show(); c.win.RequestFocus() }))
	// No tray icon of our own yet: the systray needs a bitmap and the app
	// icon comes from packaging; Fyne falls back to the app icon.
	desk.SetSystemTrayMenu(fyne.NewMenu("Homeshore", items...))
}

// applyTheme follows the OS unless the agent chose light or dark.
func (c *Controller) applyTheme() {
	switch c.settings.Theme {
	case "light":
		c.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case "dark":
		c.app.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		c.app.Settings().SetTheme(theme.DefaultTheme())
	}
}

// variantTheme pins the default theme to one variant.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (v variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return v.Theme.Color(n, v.variant)
}
