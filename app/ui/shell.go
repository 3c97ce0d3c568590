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
		missed := fyne.NewMenuItem(c.tr.Count("recent.missed.badge", c.unseenMissed), nil)
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
		c.app.Settings().SetTheme(appTheme{Theme: theme.DefaultTheme(), pinned: true, variant: theme.VariantLight})
	case "dark":
		c.app.Settings().SetTheme(appTheme{Theme: theme.DefaultTheme(), pinned: true, variant: theme.VariantDark})
	default:
		c.app.Settings().SetTheme(appTheme{Theme: theme.DefaultTheme()})
	}
}

// appTheme is Fyne's theme, pinned to one variant when the agent chose
// one, with the colours that carry white text on buttons (Answer, Resume,
// Help asked) dark enough to read: Fyne's own green and orange are too
// light for white text.
type appTheme struct {
	fyne.Theme
	pinned  bool
	variant fyne.ThemeVariant
}

// Button colours with white text, about 4.5:1 contrast or more.
var (
	buttonGreen  = color.NRGBA{R: 0x1b, G: 0x7f, B: 0x3b, A: 0xff}
	buttonOrange = color.NRGBA{R: 0xb3, G: 0x5c, B: 0x00, A: 0xff}
)

func (a appTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if a.pinned {
		v = a.variant
	}
	switch n {
	case theme.ColorNameSuccess:
		return buttonGreen
	case theme.ColorNameWarning:
		return buttonOrange
	case theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning:
		return colorOnBadge // white in both variants
	}
	return a.Theme.Color(n, v)
}
