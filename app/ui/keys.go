package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// Keyboard-first: the shortcuts work whatever has focus, Tab always moves
// to the next field (also out of the wrap-up note), Esc leaves a field,
// and during a call the digit keys send DTMF.
//
// Fyne hands a key chord to the focused widget when it takes shortcuts (an
// Entry does) and to the canvas only otherwise, so every entry of the app
// is a keyEntry, which passes our chords on before the Entry sees them.

// shortcut binds one key chord to an action. Keys are catalogue keys of
// the chord's description, listed in the app (Settings, the keyboard
// button) and in docs/gui.md.
type shortcut struct {
	key      fyne.KeyName
	modifier fyne.KeyModifier
	action   func(c *Controller)
	label    string // catalogue key of what it does
}

// Shortcuts use Ctrl+Shift so they never clash with typing in a field.
const shortcutModifier = fyne.KeyModifierControl | fyne.KeyModifierShift

// shortcuts is the table of chords (a func: its actions refer back to it).
func shortcuts() []shortcut {
	return []shortcut{
		{fyne.KeyA, shortcutModifier, (*Controller).answer, "keys.answer"},
		{fyne.KeyE, shortcutModifier, (*Controller).hangup, "keys.hangup"},
		{fyne.KeyM, shortcutModifier, (*Controller).toggleMute, "keys.mute"},
		{fyne.KeyH, shortcutModifier, (*Controller).toggleHold, "keys.hold"},
		{fyne.KeyD, shortcutModifier, (*Controller).focusDial, "keys.dial"},
		{fyne.KeyT, shortcutModifier, (*Controller).focusTransfer, "keys.transfer"},
		{fyne.KeyK, shortcutModifier, (*Controller).focusScreenPop, "keys.tickets"},
		{fyne.KeyReturn, fyne.KeyModifierControl, (*Controller).saveWrapUp, "keys.save"},
		{fyne.KeyEnter, fyne.KeyModifierControl, (*Controller).saveWrapUp, ""},
		{fyne.KeySlash, fyne.KeyModifierControl, (*Controller).showShortcuts, "keys.help"},
		{fyne.KeyF1, 0, (*Controller).showShortcuts, ""},
	}
}

// chordName writes a chord the way the agent presses it ("Ctrl+Shift+A").
func chordName(s shortcut) string {
	var parts []string
	if s.modifier&fyne.KeyModifierControl != 0 {
		parts = append(parts, "Ctrl")
	}
	if s.modifier&fyne.KeyModifierShift != 0 {
		parts = append(parts, "Shift")
	}
	key := string(s.key)
	switch s.key {
	case fyne.KeyReturn:
		key = "Enter"
	case fyne.KeySlash:
		key = "/"
	}
	return strings.Join(append(parts, key), "+")
}

// shortcutLines lists the shortcuts in the agent's language, one per line.
func (c *Controller) shortcutLines() []string {
	lines := make([]string, 0, 16)
	for _, s := range shortcuts() {
		if s.label != "" {
			lines = append(lines, chordName(s)+"  "+c.tr.T(s.label))
		}
	}
	return append(lines, c.tr.T("keys.digits"), c.tr.T("keys.tab"), c.tr.T("keys.esc"))
}

// installShortcuts binds the chords on the canvas (nothing focused, or a
// widget that takes no shortcuts) and the typed keys: digits during a
// call, Esc.
func (c *Controller) installShortcuts() {
	cv := c.win.Canvas()
	for _, s := range shortcuts() {
		sc := &desktop.CustomShortcut{KeyName: s.key, Modifier: s.modifier}
		if s.modifier == 0 {
			continue // plain keys come through OnTypedKey
		}
		cv.RemoveShortcut(sc)
		cv.AddShortcut(sc, func(fyne.Shortcut) { c.runShortcut(sc) })
	}
	cv.SetOnTypedRune(c.typedRune)
	cv.SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyF1 {
			c.showShortcuts()
		}
	})
}

// runShortcut runs the action bound to sc; false when none is.
func (c *Controller) runShortcut(sc *desktop.CustomShortcut) bool {
	for _, s := range shortcuts() {
		if s.key == sc.KeyName && s.modifier == sc.Modifier && s.modifier != 0 {
			s.action(c)
			return true
		}
	}
	return false
}

// typedRune takes keys typed with no field focused: during a call digits,
// * and # go to the caller as DTMF; otherwise a digit or + starts a number
// in the dial pad.
func (c *Controller) typedRune(r rune) {
	if !isDialKey(r) {
		return
	}
	if c.call != nil && !c.call.ringing {
		c.sendDTMF(string(r))
		return
	}
	if c.frame.current == screenHome && c.call == nil {
		c.home.number.SetText(c.home.number.Text + string(r))
		c.win.Canvas().Focus(c.home.number)
		c.home.number.CursorColumn = len([]rune(c.home.number.Text))
		c.home.number.Refresh()
	}
}

func isDialKey(r rune) bool { return r >= '0' && r <= '9' || r == '*' || r == '#' || r == '+' }

// keyEntry is the app's text field: our shortcuts work while it has the
// cursor, Tab always leaves it (also a multi-line one), Esc leaves it, and
// Ctrl+Enter runs submit when set.
type keyEntry struct {
	widget.Entry
	c *Controller
	// rune, when set, may take a typed character first (true: taken).
	rune func(r rune) bool
	// submit, when set, runs on Ctrl+Enter instead of the app's chord
	// (a field of its own window: the messages).
	submit func()
	// escape, when set, runs on Esc instead of leaving the field.
	escape func()
}

// newEntry is a one-line keyEntry.
func (c *Controller) newEntry() *keyEntry {
	e := &keyEntry{c: c}
	e.ExtendBaseWidget(e)
	return e
}

// newPasswordEntry is a keyEntry that hides what is typed.
func (c *Controller) newPasswordEntry() *keyEntry {
	e := c.newEntry()
	e.Password = true
	return e
}

// newMultiLineEntry is a wrapping multi-line keyEntry.
func (c *Controller) newMultiLineEntry() *keyEntry {
	e := c.newEntry()
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// AcceptsTab is false: Tab moves to the next field, even from a note.
func (e *keyEntry) AcceptsTab() bool { return false }

// TypedShortcut runs the app's chords first, then the Entry's own.
func (e *keyEntry) TypedShortcut(s fyne.Shortcut) {
	cs, ok := s.(*desktop.CustomShortcut)
	if ok && e.submit != nil && cs.Modifier == fyne.KeyModifierControl && (cs.KeyName == fyne.KeyReturn || cs.KeyName == fyne.KeyEnter) {
		e.submit()
		return
	}
	if ok && e.c.runShortcut(cs) {
		return
	}
	e.Entry.TypedShortcut(s)
}

// TypedKey leaves the field on Esc.
func (e *keyEntry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		if e.escape != nil {
			e.escape()
			return
		}
		e.c.win.Canvas().Unfocus()
		return
	case fyne.KeyF1:
		e.c.showShortcuts()
		return
	}
	e.Entry.TypedKey(k)
}

// TypedRune offers the character to rune first.
func (e *keyEntry) TypedRune(r rune) {
	if e.rune != nil && e.rune(r) {
		return
	}
	e.Entry.TypedRune(r)
}

// newSelect is a drop-down whose empty state speaks the agent's language
// (Fyne's own placeholder is "(Select one)" whatever the language).
func (c *Controller) newSelect(options []string, changed func(string)) *widget.Select {
	s := widget.NewSelect(options, changed)
	s.PlaceHolder = c.tr.T("select.choose")
	return s
}

// keyButton is a button that Enter presses too (Fyne's takes only Space
// when focused), for the steps where the agent answers from the keyboard.
type keyButton struct {
	widget.Button
}

// newKeyButton is a keyButton with an icon.
func (c *Controller) newKeyButton(label string, icon fyne.Resource, tapped func()) *keyButton {
	b := &keyButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter as on Space.
func (b *keyButton) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
		return
	}
	b.Button.TypedKey(k)
}
