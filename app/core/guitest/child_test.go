package guitest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

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

// drive is the agent's shift, through the window's own widgets.
func drive(ctx context.Context, win fyne.Window, c *core.Core) error {
	d := &driver{win: win}
	if err := d.tap("Start shift"); err != nil {
		return err
	}
	if err := d.until("registered", func(root fyne.CanvasObject) bool { return hasText(root, "Connected to ") }); err != nil {
		return err
	}
	fmt.Println("ready")
	if err := d.tap("Answer"); err != nil {
		return err
	}
	if err := d.tap("Hold"); err != nil {
		return err
	}
	if err := d.tap("Resume"); err != nil {
		return err
	}
	// Hang up once the resume is confirmed (the button says Hold again).
	if err := d.until("the call resumed", func(root fyne.CanvasObject) bool { return findButton(root, "Hold") != nil }); err != nil {
		return err
	}
	if err := d.tap("Hang up"); err != nil {
		return err
	}
	var chosen bool
	if err := d.until("wrap-up dispositions", func(root fyne.CanvasObject) bool {
		s := findSelect(root, "Choose an outcome")
		if s == nil || len(s.Options) == 0 {
			return false
		}
		s.SetSelected(chosenLabel)
		chosen = s.Selected == chosenLabel
		return true
	}); err != nil {
		return err
	}
	if !chosen {
		return fmt.Errorf("the disposition %q is not offered", chosenLabel)
	}
	if err := d.tap("Save and go Available"); err != nil {
		return err
	}
	if err := d.untilCore("Available after wrap-up", func() bool { st, _ := c.Machine().State(); return st == shift.Available }); err != nil {
		return err
	}
	syncCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.SyncTickets(syncCtx)
}

type driver struct{ win fyne.Window }

// until checks cond on the Fyne thread every 100 ms: the window changes on
// its own events, and a person also looks until the button is there.
func (d *driver) until(what string, cond func(root fyne.CanvasObject) bool) error {
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		ok := false
		fyne.DoAndWait(func() { ok = cond(d.win.Content()) })
		if ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	var seen string
	fyne.DoAndWait(func() { seen = describe(d.win.Content()) })
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
