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

// shortcut binds one key chord to an action.
type shortcut struct {
	key    fyne.KeyName
	action func(c *Controller)
}

// Shortcuts use Ctrl+Shift so they never clash with typing in a field.
const shortcutModifier = fyne.KeyModifierControl | fyne.KeyModifierShift

var shortcuts = []shortcut{
	{fyne.KeyA, (*Controller).answer},
	{fyne.KeyE, (*Controller).hangup},
	{fyne.KeyM, (*Controller).toggleMute},
	{fyne.KeyH, (*Controller).toggleHold},
	{fyne.KeyD, (*Controller).focusDial},
}

func (c *Controller) installShortcuts() {
	cv := c.win.Canvas()
	for _, s := range shortcuts {
		sc := &desktop.CustomShortcut{KeyName: s.key, Modifier: shortcutModifier}
		cv.RemoveShortcut(sc)
		action := s.action
		cv.AddShortcut(sc, func(fyne.Shortcut) { action(c) })
	}
}

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
	status := fyne.NewMenuItem(t("tray.state", t(stateKeys[c.status.State])), nil)
	status.Disabled = true
	items := []*fyne.MenuItem{status, fyne.NewMenuItemSeparator()}
	if c.call != nil && c.call.ringing {
		items = append(items, fyne.NewMenuItem(t("call.answer"), c.answer), fyne.NewMenuItem(t("call.reject"), c.reject))
	} else if c.call != nil {
		items = append(items, fyne.NewMenuItem(t("call.hangup"), c.hangup), fyne.NewMenuItem(t("call.mute"), c.toggleMute))
	}
	if c.status.State != StateOffline {
		items = append(items,
			fyne.NewMenuItem(t("state.available"), func() { c.setState(StateAvailable, "") }),
			fyne.NewMenuItem(t("state.break"), func() { c.setState(StateBreak, "") }))
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
