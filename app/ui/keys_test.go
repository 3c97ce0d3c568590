package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
)

// press routes a chord the way the desktop driver does: to the focused
// widget when it takes shortcuts (an Entry does), else to the canvas.
func press(c *Controller, key fyne.KeyName, mod fyne.KeyModifier) {
	sc := &desktop.CustomShortcut{KeyName: key, Modifier: mod}
	if f, ok := c.win.Canvas().Focused().(fyne.Shortcutable); ok {
		f.TypedShortcut(sc)
		return
	}
	c.win.Canvas().(fyne.Shortcutable).TypedShortcut(sc)
}

// key types a named key where the driver would send it.
func key(c *Controller, name fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: name}
	if f := c.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if on := c.win.Canvas().OnTypedKey(); on != nil {
		on(ev)
	}
}

// typeText types characters where the driver would send them.
func typeText(c *Controller, s string) {
	for _, r := range s {
		if f := c.win.Canvas().Focused(); f != nil {
			f.TypedRune(r)
			continue
		}
		if on := c.win.Canvas().OnTypedRune(); on != nil {
			on(r)
		}
	}
}

func establishedCall(c *Controller, f *fake) {
	incoming(c)
	test.Tap(c.home.call.answer)
	c.handle(CallEstablished{Call: CallInfo{ID: "in-1", Answered: c.now()}})
}

// The documented dial flow (Ctrl+Shift+D, number, Enter) used to leave the
// cursor in the number field, where the call shortcuts did nothing.
func TestShortcutsWorkAfterTheDialFlow(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	press(c, fyne.KeyD, shortcutModifier)
	if c.win.Canvas().Focused() != c.home.number {
		t.Fatal("Ctrl+Shift+D must put the cursor in the number field")
	}
	typeText(c, "0612345678")
	c.home.number.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !f.called("dial 0612345678") {
		t.Fatalf("Enter in the number field must dial: %v", f.calls)
	}
	c.handle(CallEstablished{Call: CallInfo{ID: "out-1", Answered: c.now()}})
	press(c, fyne.KeyM, shortcutModifier)
	press(c, fyne.KeyH, shortcutModifier)
	if !f.called("mute out-1 on") || !f.called("hold out-1 on") {
		t.Fatalf("mute and hold shortcuts after dialling: %v", f.calls)
	}
	// Even with the cursor back in a field, the chords reach the call.
	c.win.Canvas().Focus(c.home.number)
	press(c, fyne.KeyE, shortcutModifier)
	if !f.called("hangup out-1") {
		t.Fatalf("Ctrl+Shift+E with the number field focused: %v", f.calls)
	}
}

// Digits typed during a call go to the caller as DTMF, shown on screen,
// whether or not the number field has the cursor.
func TestKeyboardDigitsSendDTMF(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	establishedCall(c, f)
	typeText(c, "12#")
	c.win.Canvas().Focus(c.home.number)
	typeText(c, "*")
	for _, d := range []string{"1", "2", "#", "*"} {
		if !f.called("dtmf " + d) {
			t.Fatalf("digit %s not sent: %v", d, f.calls)
		}
	}
	if c.home.number.Text != "" {
		t.Fatalf("digits during a call landed in the number field: %q", c.home.number.Text)
	}
	if got := c.home.call.dtmf.Text; got != c.tr.T("call.dtmf.sent", "12#*") {
		t.Fatalf("keys shown = %q", got)
	}
}

// Esc leaves a field; Tab leaves the wrap-up note; Ctrl+Enter saves.
func TestWrapUpByKeyboardOnly(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "en")
	answeredCall(c, f, time.Minute)
	w := c.wrap
	c.win.Canvas().Focus(w.note)
	typeText(c, "Box reboots")
	if w.note.AcceptsTab() {
		t.Fatal("Tab must leave the note, not insert a tab")
	}
	c.win.Canvas().FocusNext()
	if c.win.Canvas().Focused() == w.note || c.win.Canvas().Focused() == nil {
		t.Fatal("Tab from the note must reach the next field")
	}
	c.win.Canvas().Focus(w.note)
	key(c, fyne.KeyEscape)
	if c.win.Canvas().Focused() != nil {
		t.Fatal("Esc must leave the field")
	}
	w.disposition.SetSelected(c.tr.T("disposition.resolved"))
	c.win.Canvas().Focus(w.note)
	press(c, fyne.KeyReturn, fyne.KeyModifierControl)
	if len(f.logs) != 1 || f.logs[0].Note != "Box reboots" || f.logs[0].Disposition != "resolved" {
		t.Fatalf("Ctrl+Enter in the note: logs %+v", f.logs)
	}
}

// The shortcuts are listed in the app, from the same table that binds them.
func TestShortcutsListedInTheApp(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "fr")
	lines := strings.Join(c.shortcutLines(), "\n")
	for _, want := range []string{"Ctrl+Shift+A", "Ctrl+Shift+E", "Ctrl+Shift+M", "Ctrl+Shift+H", "Ctrl+Shift+D", "Ctrl+Enter", "Échap"} {
		if !strings.Contains(lines, want) {
			t.Errorf("the shortcut list lacks %s:\n%s", want, lines)
		}
	}
	key(c, fyne.KeyF1)
	if len(c.dialogs) != 1 {
		t.Fatal("F1 must open the shortcut list")
	}
}
