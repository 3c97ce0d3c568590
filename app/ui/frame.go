package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// frame is the window's skeleton: the demo banner (with the demo menu),
// the alert banner for mid-shift problems, and the current screen.
type frame struct {
	c     *Controller
	demo  *banner
	alert *banner
	// notice informs without stopping anything (the system's sound moved).
	notice *banner
	// recheck is on the alert when a new check is the way back.
	recheck *widget.Button
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
	f := &frame{c: c, demo: newBanner(colorInfo), alert: newBanner(colorBad), notice: newBanner(colorNotice),
		monitor: newBanner(colorWarn), body: container.NewStack()}
	if c.opts.Demo {
		f.demo.show(colorInfo, strings.TrimSpace(c.tr.T("demo.banner")+" "+c.opts.DemoNote))
		if len(c.opts.DemoActions) > 0 {
			menu := widget.NewButtonWithIcon(c.tr.T("demo.menu"), theme.MenuIcon(), nil)
			menu.OnTapped = func() { c.showDemoMenu(menu) }
			f.demo.root.Objects = []fyne.CanvasObject{f.demo.bg, container.NewBorder(nil, nil, nil, menu, f.demo.text)}
		}
	}
	f.recheck = widget.NewButtonWithIcon(c.tr.T("check.rerun"), theme.ViewRefreshIcon(), c.showPrecheckRun)
	f.alert.root.Objects = []fyne.CanvasObject{f.alert.bg, container.NewBorder(nil, nil, nil, f.recheck, f.alert.root.Objects[1])}
	f.recheck.Hidden = !c.alertCheck
	if c.alert != "" {
		f.alert.show(colorBad, c.alert)
	}
	if c.notice != "" {
		f.notice.show(colorNotice, c.notice)
	}
	f.root = container.NewBorder(container.NewVBox(f.demo.root, f.monitor.root, f.alert.root, f.notice.root), nil, nil, nil, f.body)
	return f
}

// showDemoMenu lists the failures the demo can simulate.
func (c *Controller) showDemoMenu(from fyne.CanvasObject) {
	var items []*fyne.MenuItem
	for _, a := range c.opts.DemoActions {
		a := a
		items = append(items, fyne.NewMenuItem(c.tr.T(a.Label), func() { c.runDemoAction(a) }))
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(from).Add(fyne.NewPos(0, from.Size().Height))
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c.win.Canvas(), pos)
}

func (c *Controller) runDemoAction(a DemoAction) {
	c.async(func(ctx context.Context) func() {
		err := a.Run(ctx)
		return func() {
			if err != nil {
				c.showError(errorf(c.tr.T("demo.action.fail", c.tr.T(a.Label), err.Error())))
			}
		}
	})
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
		c.alertCheck = false
		c.frame.recheck.Hide()
		c.frame.alert.hide()
		return
	}
	c.frame.alert.show(colorBad, msg)
}

// setNotice shows msg in the blue notice strip; "" hides it.
func (c *Controller) setNotice(msg string) {
	c.notice = msg
	if msg == "" {
		c.frame.notice.hide()
		return
	}
	c.frame.notice.show(colorNotice, msg)
}

// onSoundDefault tells the agent where the computer's sound goes when it
// is not their checked headset: their calls stay on the headset.
func (c *Controller) onSoundDefault(ev SoundDefaultChanged) {
	if !ev.Away || c.status.State == StateOffline {
		c.setNotice("")
		return
	}
	name := ev.Output
	if name == "" {
		name = ev.Input
	}
	c.setNotice(c.tr.T("notice.default_moved", name, ev.Headset))
}

// setCheckAlert shows msg with the way back: running the check again.
func (c *Controller) setCheckAlert(msg string) {
	c.setAlert(msg)
	c.alertCheck = true
	c.frame.recheck.Show()
}
