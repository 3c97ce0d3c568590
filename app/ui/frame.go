package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// frame is the window's skeleton: the demo banner, the alert banner for
// mid-shift problems, and the current screen.
type frame struct {
	c       *Controller
	demo    *banner
	alert   *banner
	monitor *banner // a supervisor is listening (monitorbanner.go)
	body    *fyne.Container
	root    fyne.CanvasObject
	current string
}

// Screen names, used by tests and screenshots.
const (
	screenFirstRun = "first"
	screenCheck    = "check"
	screenHome     = "home"
	screenSummary  = "summary"
)

func newFrame(c *Controller) *frame {
	f := &frame{c: c, demo: newBanner(colorInfo), alert: newBanner(colorBad), monitor: newBanner(colorWarn), body: container.NewStack()}
	if c.opts.Demo {
		f.demo.show(colorInfo, strings.TrimSpace(c.tr.T("demo.banner")+" "+c.opts.DemoNote))
	}
	if c.alert != "" {
		f.alert.show(colorBad, c.alert)
	}
	f.root = container.NewBorder(container.NewVBox(f.demo.root, f.monitor.root, f.alert.root), nil, nil, nil, f.body)
	return f
}

func (f *frame) show(name string, content fyne.CanvasObject) {
	f.current = name
	f.body.Objects = []fyne.CanvasObject{content}
	f.body.Refresh()
}

// setAlert shows msg in the red banner; "" hides it.
func (c *Controller) setAlert(msg string) {
	c.alert = msg
	if msg == "" {
		c.frame.alert.hide()
		return
	}
	c.frame.alert.show(colorBad, msg)
}
