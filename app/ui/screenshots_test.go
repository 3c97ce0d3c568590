package ui

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
)

// -screenshots DIR drives real windows (GLFW; run under xvfb-run, see
// scripts/screenshots.sh) through every main screen in each language and
// saves DIR/<lang>/<screen>.png. Without the flag the tests run as usual.
var screenshotDir = flag.String("screenshots", "", "save PNGs of every screen into this directory (needs a display)")

func TestMain(m *testing.M) {
	flag.Parse()
	if *screenshotDir != "" {
		if err := captureAll(*screenshotDir); err != nil {
			fmt.Fprintln(os.Stderr, "screenshots:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// captureAll runs the Fyne app on the main thread (TestMain owns it) and
// walks the screens from another goroutine.
func captureAll(dir string) error {
	a := fyneapp.NewWithID(AppID + ".screenshots")
	started := make(chan struct{})
	a.Lifecycle().SetOnStarted(func() { close(started) })
	errc := make(chan error, 1)
	go func() {
		<-started
		var err error
		for _, lang := range supportedLanguages {
			if err = captureLanguage(a, filepath.Join(dir, lang), lang); err != nil {
				break
			}
		}
		errc <- err
		fyne.Do(a.Quit)
	}()
	// A hidden window keeps the loop alive until the first real one exists.
	keep := a.NewWindow("screenshots")
	keep.SetMaster()
	a.Run()
	return <-errc
}

// shooter captures one controller's window.
type shooter struct {
	c   *Controller
	dir string
}

// settle lets queued fyne.Do work and a frame or two run before a capture.
func settle() { time.Sleep(1200 * time.Millisecond) }

// shot captures the window from the X server: under Xvfb, Fyne's own
// Canvas().Capture() reads the GL front buffer, which Mesa leaves blank.
func (s shooter) shot(name string, setup func()) error {
	fyne.DoAndWait(setup)
	settle()
	title := s.c.win.Title()
	if m := s.c.msgs; m != nil && m.win != nil {
		title = m.win.Title() // the messages window is the screen
	}
	img, err := captureX(title)
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(s.dir, name+".png"))
	if err != nil {
		return err
	}
	defer f.Close()
	return png.Encode(f, img)
}

func captureLanguage(a fyne.App, dir, lang string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f := screenFake(lang)
	opts := screenOptions()
	opts.Backend, opts.Language, opts.NoTray = f.backend(), lang, true
	var c *Controller
	var err error
	fyne.DoAndWait(func() {
		c, err = NewController(a, opts)
		if err == nil {
			c.win.SetTitle("Homeshore screenshots " + lang)
			c.win.Resize(fyne.NewSize(1080, 720))
			c.win.Show()
		}
	})
	if err != nil {
		return err
	}
	defer fyne.DoAndWait(func() { c.win.Hide() })
	stop := c.Start(context.Background())
	defer stop()
	s := shooter{c: c, dir: dir}
	for _, st := range screenSteps(c, f, lang) {
		if st.name == "" {
			fyne.DoAndWait(st.setup)
			settle()
			continue
		}
		if err := s.shot(st.name, st.setup); err != nil {
			return fmt.Errorf("%s/%s: %w", lang, st.name, err)
		}
	}
	fyne.DoAndWait(func() {
		if c.msgs != nil && c.msgs.win != nil {
			c.msgs.win.Close()
		}
		for top := c.win.Canvas().Overlays().Top(); top != nil; top = c.win.Canvas().Overlays().Top() {
			c.win.Canvas().Overlays().Remove(top)
		}
		c.settings.Theme = "dark"
		c.applyTheme()
		_ = c.setLanguage(c.tr.Lang()) // rebuild every view in the new theme
		c.showHome()
	})
	if err := s.shot("17-main-dark", func() {}); err != nil {
		return err
	}
	fyne.DoAndWait(func() { c.settings.Theme = ""; c.applyTheme() })
	return nil
}
