// Command homeshore-gui is Homeshore's window. It is a binary of its own so
// the headless homeshore commands do not load the GUI toolkit and OpenGL;
// `homeshore` with no command (or --demo) starts it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/homeshore/homeshore/app/core"
	"github.com/homeshore/homeshore/app/demo"
	_ "github.com/homeshore/homeshore/app/localeenv" // before Fyne reads the locale
	"github.com/homeshore/homeshore/app/ui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "homeshore:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string) error {
	if err := needDisplay(); err != nil {
		return err
	}
	switch {
	case len(args) == 1 && (args[0] == "--demo" || args[0] == "demo"):
		return demo.Run(ctx, ui.Options{})
	case len(args) == 0:
		// The window on the real core: profile, IT policy, keyring.
		c, err := core.New(core.Options{})
		if err != nil {
			return err
		}
		// IT's signed updates: checked now and daily, offered outside calls.
		if err := c.StartUpdates(ctx, nil, nil); err != nil {
			fmt.Fprintln(os.Stderr, "homeshore: update checks off:", err)
		}
		return errors.Join(ui.Main(ctx, ui.Options{Backend: c.Backend()}), c.Close())
	default:
		return fmt.Errorf("unknown arguments %q: use homeshore --help", args)
	}
}

// needDisplay says why the window cannot open on a Linux/BSD machine with
// no X11 or Wayland display, instead of the toolkit's panic.
func needDisplay() error {
	switch runtime.GOOS {
	case "windows", "darwin":
		return nil
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return errors.New("no display: the window needs X11 or Wayland (DISPLAY or WAYLAND_DISPLAY is not set); the headless commands work without one, see homeshore --help")
	}
	return nil
}
