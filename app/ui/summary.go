package ui

import (
	"fmt"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// summaryView is the end-of-shift summary: calls handled, missed and
// declined, talk time, average handle time, outcomes and time per state.
type summaryView struct {
	c            *Controller
	root         fyne.CanvasObject
	period       *widget.Label
	calls        *widget.Label
	missed       *widget.Label
	rejected     *widget.Label
	talk         *widget.Label
	aht          *widget.Label
	dispositions *widget.Form
	states       *widget.Form
}

func newSummaryView(c *Controller) *summaryView {
	t := c.tr.T
	v := &summaryView{c: c, period: widget.NewLabel(""), calls: widget.NewLabel(""), missed: widget.NewLabel(""),
		rejected: widget.NewLabel(""), talk: widget.NewLabel(""), aht: widget.NewLabel("")}
	v.states = widget.NewForm()
	v.dispositions = widget.NewForm()
	again := widget.NewButtonWithIcon(t("summary.again"), theme.MediaReplayIcon(), c.showPrecheck)
	again.Importance = widget.HighImportance
	quit := widget.NewButtonWithIcon(t("summary.quit"), theme.LogoutIcon(), func() { c.app.Quit() })
	figures := widget.NewForm(
		widget.NewFormItem(t("summary.period"), v.period),
		widget.NewFormItem(t("summary.calls"), v.calls),
		widget.NewFormItem(t("summary.missed"), v.missed),
		widget.NewFormItem(t("summary.rejected"), v.rejected),
		widget.NewFormItem(t("summary.talk"), v.talk),
		widget.NewFormItem(t("summary.aht"), v.aht),
	)
	v.root = container.NewPadded(container.NewBorder(
		container.NewVBox(heading(t("summary.title")), widget.NewLabel(t("summary.intro"))),
		container.NewBorder(nil, nil, nil, container.NewHBox(quit, again)),
		nil, nil,
		container.NewVScroll(container.NewGridWithColumns(2,
			container.NewVBox(widget.NewCard(t("summary.figures"), "", figures)),
			container.NewVBox(widget.NewCard(t("summary.dispositions"), "", v.dispositions),
				widget.NewCard(t("summary.states"), "", v.states))))))
	return v
}

// stateOrder is how the summary lists states.
var stateOrder = []AgentState{StateAvailable, StateOnCall, StateWrapUp, StateNotReady, StateBreak}

func (v *summaryView) refresh() {
	s := v.c.shiftSum
	t := v.c.tr.T
	v.period.SetText(fmt.Sprintf("%s – %s (%s)", s.Start.Local().Format("15:04"), s.End.Local().Format("15:04"), formatHours(s.End.Sub(s.Start))))
	v.calls.SetText(fmt.Sprint(s.Calls))
	v.missed.SetText(fmt.Sprint(s.Missed))
	v.rejected.SetText(fmt.Sprint(s.Rejected))
	v.talk.SetText(formatHours(s.Talk))
	if s.Calls == 0 {
		v.aht.SetText("—") // no call: no average, not 0:00
	} else {
		v.aht.SetText(formatClock(s.AverageHandle))
	}
	v.dispositions.Items = nil
	codes := make([]string, 0, len(s.Dispositions))
	for code := range s.Dispositions {
		codes = append(codes, code)
	}
	sort.Slice(codes, func(i, j int) bool {
		if s.Dispositions[codes[i]] != s.Dispositions[codes[j]] {
			return s.Dispositions[codes[i]] > s.Dispositions[codes[j]]
		}
		return codes[i] < codes[j]
	})
	for _, code := range codes {
		v.dispositions.Append(v.c.dispositionLabel(code, ""), widget.NewLabel(fmt.Sprint(s.Dispositions[code])))
	}
	if len(codes) == 0 {
		v.dispositions.Append(t("summary.dispositions.none"), widget.NewLabel(""))
	}
	v.dispositions.Refresh()
	v.states.Items = nil
	for _, st := range stateOrder {
		v.states.Append(t(stateKeys[st]), widget.NewLabel(formatHours(s.InState[st])))
	}
	v.states.Refresh()
}
