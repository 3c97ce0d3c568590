package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// summaryView is the end-of-shift summary.
type summaryView struct {
	c      *Controller
	root   fyne.CanvasObject
	period *widget.Label
	calls  *widget.Label
	talk   *widget.Label
	states *widget.Form
}

func newSummaryView(c *Controller) *summaryView {
	t := c.tr.T
	v := &summaryView{c: c, period: widget.NewLabel(""), calls: widget.NewLabel(""), talk: widget.NewLabel("")}
	v.states = widget.NewForm()
	again := widget.NewButtonWithIcon(t("summary.again"), theme.MediaReplayIcon(), c.showPrecheck)
	again.Importance = widget.HighImportance
	quit := widget.NewButtonWithIcon(t("summary.quit"), theme.LogoutIcon(), func() { c.app.Quit() })
	figures := widget.NewForm(
		widget.NewFormItem(t("summary.period"), v.period),
		widget.NewFormItem(t("summary.calls"), v.calls),
		widget.NewFormItem(t("summary.talk"), v.talk),
	)
	v.root = container.NewPadded(container.NewBorder(
		container.NewVBox(heading(t("summary.title")), widget.NewLabel(t("summary.intro"))),
		container.NewBorder(nil, nil, nil, container.NewHBox(quit, again)),
		nil, nil,
		container.NewVScroll(container.NewVBox(
			widget.NewCard(t("summary.figures"), "", figures),
			widget.NewCard(t("summary.states"), "", v.states)))))
	return v
}

// stateOrder is how the summary lists states.
var stateOrder = []AgentState{StateAvailable, StateOnCall, StateWrapUp, StateNotReady, StateBreak}

func (v *summaryView) refresh() {
	s := v.c.shiftSum
	t := v.c.tr.T
	v.period.SetText(fmt.Sprintf("%s – %s (%s)", s.Start.Format("15:04"), s.End.Format("15:04"), formatHours(s.End.Sub(s.Start))))
	v.calls.SetText(fmt.Sprint(s.Calls))
	v.talk.SetText(t("summary.minutes", int(s.Talk.Minutes()+0.5)))
	v.states.Items = nil
	for _, st := range stateOrder {
		v.states.Append(t(stateKeys[st]), widget.NewLabel(formatHours(s.InState[st])))
	}
	v.states.Refresh()
}
