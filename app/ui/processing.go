package ui

import "fyne.io/fyne/v2/widget"

// processingControls edit the processing of the agent's outgoing audio:
// noise suppression and automatic gain on or off, echo cancellation
// automatic (off once the check proved a headset), on or off. Values IT
// policy sets are shown read-only.
type processingControls struct {
	labels       map[string]string // mode -> label
	ns, agc, aec *widget.Select
}

func newProcessingControls(c *Controller) *processingControls {
	t := c.tr.T
	p := &processingControls{labels: map[string]string{
		"on": t("settings.proc.on"), "off": t("settings.proc.off"), "auto": t("settings.proc.auto"),
	}}
	onOff := []string{p.labels["on"], p.labels["off"]}
	p.ns = c.newSelect(onOff, nil)
	p.agc = c.newSelect(onOff, nil)
	p.aec = c.newSelect([]string{p.labels["auto"], p.labels["on"], p.labels["off"]}, nil)
	p.ns.SetSelected(p.label(c.settings.NoiseSuppression, false))
	p.agc.SetSelected(p.label(c.settings.AGC, false))
	p.aec.SetSelected(p.label(c.settings.EchoCancel, true))
	return p
}

// label names a mode; without an automatic choice "auto" means on, and an
// unset mode is the default (on, or auto for echo cancellation).
func (p *processingControls) label(mode string, auto bool) string {
	switch {
	case mode == "off":
		return p.labels["off"]
	case mode == "on" || !auto:
		return p.labels["on"]
	}
	return p.labels["auto"]
}

func (p *processingControls) formItems(c *Controller) []*widget.FormItem {
	t := c.tr.T
	return []*widget.FormItem{
		widget.NewFormItem(t("settings.ns"), c.lockableAs(SettingNoiseSuppression, p.ns, func(m string) string { return p.label(m, false) })),
		widget.NewFormItem(t("settings.agc"), c.lockableAs(SettingAGC, p.agc, func(m string) string { return p.label(m, false) })),
		widget.NewFormItem(t("settings.aec"), c.lockableAs(SettingEchoCancel, p.aec, func(m string) string { return p.label(m, true) })),
	}
}

// apply copies the modes the agent may change into s.
func (p *processingControls) apply(c *Controller, s *Settings) {
	for _, f := range []struct {
		setting string
		sel     *widget.Select
		dst     *string
	}{
		{SettingNoiseSuppression, p.ns, &s.NoiseSuppression},
		{SettingAGC, p.agc, &s.AGC},
		{SettingEchoCancel, p.aec, &s.EchoCancel},
	} {
		if _, locked := c.locked[f.setting]; !locked {
			*f.dst = keyOf(p.labels, f.sel.Selected)
		}
	}
}
