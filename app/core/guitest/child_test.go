package guitest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/homeshore/homeshore/app/core"
	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/ui"
)

// runChild shows the real window on the real core and drives it like an
// agent, reporting each step on stdout; it returns the exit code.
func runChild() int {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := core.New(core.Options{ProfilePath: os.Getenv(envProfile), Logger: log})
	if err != nil {
		fmt.Println("fail: core:", err)
		return 1
	}
	a := fyneapp.NewWithID(ui.AppID)
	ctl, err := ui.NewController(a, ui.Options{Backend: c.Backend(), NoTray: true, Language: "en", Logger: log})
	if err != nil {
		fmt.Println("fail: window:", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	stop := ctl.Start(ctx)
	result := make(chan error, 1)
	go func() {
		result <- drive(ctx, ctl.Window(), c)
		fyne.Do(a.Quit)
	}()
	ctl.Window().ShowAndRun()
	cancel()
	stop()
	err = <-result
	if cerr := c.Close(); cerr != nil {
		log.Warn("closing the core", "err", cerr)
	}
	if err != nil {
		fmt.Println("fail:", err)
		return 1
	}
	fmt.Println("done")
	return 0
}

// stepTimeout bounds each wait for the window; the check takes the longest.
const stepTimeout = 30 * time.Second

// drive is the agent's whole shift, through the window's own widgets and
// keys; each step the parent must act on is announced on stdout.
func drive(ctx context.Context, win fyne.Window, c *core.Core) error {
	d := &driver{win: win}
	steps := []func() error{
		// The check asks the agent to read a sentence; nothing else to answer
		// on PulseAudio (it listens to the output itself).
		func() error { return d.seeButton("Start reading") },
		say("reading"),
		func() error { return d.tap("Start reading") },
		func() error { return d.tap("Start shift") },
		func() error { return d.see("Connected to ") },
		func() error {
			syncCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return c.SyncTickets(syncCtx) // the screen-pop reads the local store
		},
		say("ready"),
		// Inbound call with screen-pop: Claire's two tickets, her name.
		func() error { return d.see("Claire Martin") },
		func() error { return d.see("2 tickets for this number") },
		func() error { return d.tap("Answer  (Ctrl+Shift+A)") },
		func() error { return d.state(c, shift.OnCall, "") },
		say("answered"),
		// Mute, DTMF from the keyboard, hold and resume.
		func() error { return d.tap("Mute") },
		func() error { return d.seeButton("Unmute") },
		func() error { return d.typeKeys("12") },
		func() error { return d.see("Keys sent: 12") },
		func() error { return d.tap("Hold") },
		func() error { return d.see("On hold ") },
		func() error { return d.tap("Resume") },
		func() error { return d.seeButton("Hold") },
		// Attended transfer: consult the colleague with Claire on hold, then
		// complete; the colleague (baresip) answers by itself.
		func() error { return d.typeInto("Transfer to number", colleague) },
		func() error { return d.tap("Consult first") },
		func() error { return d.tap("Complete transfer") },
		func() error { return d.seeContaining("transferred to " + colleague) },
		say("transferred"),
		// Wrap-up: "Transferred" already chosen, a new ticket prefilled for the caller.
		func() error { return d.selected("Transferred") },
		func() error { return d.pickOption("Create a new ticket", "Create a new ticket") },
		func() error { return d.entryIs("Customer's name", "Claire Martin") },
		func() error { return d.tap("Save  (Ctrl+Enter)") },
		func() error { return d.see("Saved to ticket #") },
		say("wrapped"),
		// A call placed while Not ready keeps the state and its reason.
		func() error { return d.menu("Change state", "Not ready: Technical problem") },
		func() error { return d.state(c, shift.NotReady, "tech") },
		func() error { return d.typeInto("Number or SIP address", customerNumber) },
		func() error { return d.tap("Call") },
		say("dialled"),
		func() error { return d.state(c, shift.OnCall, "") },
		func() error { return d.see("then Not ready: Technical problem") },
		func() error { return d.see("0:02") },
		func() error { return d.tap("Hang up") },
		func() error { return d.selected("Back to Not ready: Technical problem") },
		func() error { return d.pick("Choose an outcome", "Resolved") },
		func() error { return d.tap("Save  (Ctrl+Enter)") },
		func() error { return d.state(c, shift.NotReady, "tech") },
		// A missed call, then Break and the end of the shift.
		func() error { return d.menu("Change state", "Available") },
		func() error { return d.state(c, shift.Available, "") },
		say("await-missed"),
		func() error { return d.see("Incoming call — ringing") },
		say("ringing"),
		func() error { return d.seeButton("1 missed") },
		func() error { return d.menu("Change state", "Break: Lunch") },
		func() error { return d.state(c, shift.Break, "lunch") },
		func() error { return d.tap("End shift") },
		func() error { return d.tap("End my shift") },
		func() error { return d.see("End of shift") },
		func() error {
			var calls, missed string
			err := d.until("the summary's figures", func(root fyne.CanvasObject) bool {
				calls, missed = formValue(root, "Calls"), formValue(root, "Missed calls")
				return calls != "" && missed != ""
			})
			fmt.Printf("summary calls=%s missed=%s\n", calls, missed)
			return err
		},
		func() error {
			syncCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return c.SyncTickets(syncCtx)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// say announces a step to the parent.
func say(word string) func() error {
	return func() error { fmt.Println(word); return nil }
}

type driver struct{ win fyne.Window }

// root is the window with its overlays (menus, dialogs) on top.
func (d *driver) root() fyne.CanvasObject {
	objs := []fyne.CanvasObject{d.win.Content()}
	objs = append(objs, d.win.Canvas().Overlays().List()...)
	return &fyne.Container{Objects: objs}
}

// until checks cond on the Fyne thread every 100 ms: the window changes on
// its own events, and a person also looks until the button is there.
func (d *driver) until(what string, cond func(root fyne.CanvasObject) bool) error {
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		ok := false
		fyne.DoAndWait(func() { ok = cond(d.root()) })
		if ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	var seen string
	fyne.DoAndWait(func() { seen = describe(d.root()) })
	return fmt.Errorf("the window never showed %s within %s; it shows: %s", what, stepTimeout, seen)
}

func (d *driver) untilCore(what string, cond func() bool) error {
	return d.until(what, func(fyne.CanvasObject) bool { return cond() })
}

// tap waits for an enabled button labelled text and presses it.
func (d *driver) tap(text string) error {
	return d.until("the button "+text, func(root fyne.CanvasObject) bool {
		b := findButton(root, text)
		if b == nil || b.Disabled() || b.OnTapped == nil {
			return false
		}
		b.OnTapped()
		return true
	})
}

// see waits for a visible text starting with prefix.
func (d *driver) see(prefix string) error {
	return d.until(strconv.Quote(prefix), func(root fyne.CanvasObject) bool { return hasText(root, prefix) || labelWith(root, prefix) != "" })
}

// seeContaining waits for a visible label holding text.
func (d *driver) seeContaining(text string) error {
	return d.until(strconv.Quote(text), func(root fyne.CanvasObject) bool {
		found := false
		walk(root, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, text) {
				found = true
			}
		})
		return found
	})
}

// seeButton waits for an enabled button labelled text.
func (d *driver) seeButton(text string) error {
	return d.until("the button "+text, func(root fyne.CanvasObject) bool {
		b := findButton(root, text)
		return b != nil && !b.Disabled()
	})
}

// state waits for the shift machine (the one source of truth) to be in st
// with reason.
func (d *driver) state(c *core.Core, st shift.State, reason string) error {
	return d.untilCore(fmt.Sprintf("state %v %s", st, reason), func() bool {
		got, r := c.Machine().State()
		return got == st && string(r.Code) == reason
	})
}

// pick chooses option in the select showing placeholder, once offered.
func (d *driver) pick(placeholder, option string) error {
	return d.until(fmt.Sprintf("%q in %q", option, placeholder), func(root fyne.CanvasObject) bool {
		s := findSelect(root, placeholder)
		if s == nil || !slices.Contains(s.Options, option) {
			return false
		}
		s.SetSelected(option)
		return s.Selected == option
	})
}

// pickOption chooses option in the select that offers marker.
func (d *driver) pickOption(marker, option string) error {
	return d.until(fmt.Sprintf("the select offering %q", marker), func(root fyne.CanvasObject) bool {
		s := findSelectWith(root, marker)
		if s == nil {
			return false
		}
		s.SetSelected(option)
		return s.Selected == option
	})
}

// entryIs waits for the field with placeholder to hold text.
func (d *driver) entryIs(placeholder, text string) error {
	return d.until(fmt.Sprintf("%q in the field %q", text, placeholder), func(root fyne.CanvasObject) bool {
		e := findEntry(root, placeholder)
		if e == nil {
			return false
		}
		v := reflect.ValueOf(e).Elem().FieldByName("Text")
		return v.IsValid() && v.String() == text
	})
}

// typeInto puts text in the field with placeholder.
func (d *driver) typeInto(placeholder, text string) error {
	return d.until("the field "+placeholder, func(root fyne.CanvasObject) bool {
		e := findEntry(root, placeholder)
		if e == nil {
			return false
		}
		e.SetText(text)
		return true
	})
}

// typeKeys types characters with nothing focused, as the keyboard does.
func (d *driver) typeKeys(keys string) error {
	fyne.DoAndWait(func() {
		d.win.Canvas().Unfocus()
		for _, r := range keys {
			if on := d.win.Canvas().OnTypedRune(); on != nil {
				on(r)
			}
		}
	})
	return nil
}

// menu opens the menu behind button and picks item.
func (d *driver) menu(button, item string) error {
	if err := d.tap(button); err != nil {
		return err
	}
	return d.until("the menu item "+item, func(root fyne.CanvasObject) bool {
		act := menuAction(root, item)
		if act == nil {
			return false
		}
		act()
		if top := d.win.Canvas().Overlays().Top(); top != nil {
			top.Hide()
			d.win.Canvas().Overlays().Remove(top)
		}
		return true
	})
}

// selected waits for a select showing option as its choice.
func (d *driver) selected(option string) error {
	return d.until(strconv.Quote(option)+" chosen", func(root fyne.CanvasObject) bool {
		s := findSelectWith(root, option)
		return s != nil && s.Selected == option
	})
}
