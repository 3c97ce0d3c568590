package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// devicePicker chooses microphone, speaker and ring device, each with its
// headset verdict in words.
type devicePicker struct {
	c       *Controller
	root    fyne.CanvasObject
	devices []Device
	input   *widget.Select
	output  *widget.Select
	ring    *widget.Select
	inNote  *widget.Label
	outNote *widget.Label
	status  *widget.Label
}

func newDevicePicker(c *Controller) *devicePicker {
	p := &devicePicker{c: c, inNote: noteText(), outNote: noteText(), status: widget.NewLabel("")}
	p.input = widget.NewSelect(nil, func(string) { p.showVerdicts() })
	p.output = widget.NewSelect(nil, func(string) { p.showVerdicts() })
	p.ring = widget.NewSelect(nil, nil)
	t := c.tr.T
	p.input.PlaceHolder = t("devices.choose")
	p.output.PlaceHolder = t("devices.choose")
	p.ring.PlaceHolder = t("devices.choose")
	refresh := widget.NewButtonWithIcon(t("devices.refresh"), theme.ViewRefreshIcon(), p.load)
	p.root = container.NewVBox(
		widget.NewForm(
			widget.NewFormItem(t("devices.mic"), container.NewVBox(p.input, p.inNote)),
			widget.NewFormItem(t("devices.speaker"), container.NewVBox(p.output, p.outNote)),
			widget.NewFormItem(t("devices.ring"), c.lockable(SettingRingDevice, p.ring)),
		),
		container.NewHBox(refresh, p.status),
	)
	return p
}

// noteText is a device's verdict under its picker; it wraps, so a long
// verdict never widens the window.
func noteText() *widget.Label {
	n := widget.NewLabel("")
	n.SizeName = theme.SizeNameCaptionText
	n.Wrapping = fyne.TextWrapWord
	return n
}

// load lists the devices off the Fyne thread.
func (p *devicePicker) load() {
	p.status.SetText(p.c.tr.T("devices.loading"))
	p.c.async(func(ctx context.Context) func() {
		devs, err := p.c.be.Devices.Devices(ctx)
		return func() {
			if err != nil {
				p.status.SetText(p.c.tr.T("devices.error", err.Error()))
				return
			}
			p.status.SetText("")
			p.set(devs)
		}
	})
}

func (p *devicePicker) set(devs []Device) {
	p.devices = devs
	var ins, outs []string
	for _, d := range devs {
		if d.Kind == DeviceInput {
			ins = append(ins, d.Name)
		} else {
			outs = append(outs, d.Name)
		}
	}
	p.input.SetOptions(ins)
	p.output.SetOptions(outs)
	p.ring.SetOptions(outs)
	s := p.c.settings
	p.input.SetSelected(p.nameOf(s.InputDevice))
	p.output.SetSelected(p.nameOf(s.OutputDevice))
	p.ring.SetSelected(p.nameOf(s.RingDevice))
	p.showVerdicts()
}

func (p *devicePicker) nameOf(id string) string {
	for _, d := range p.devices {
		if d.ID == id {
			return d.Name
		}
	}
	return ""
}

func (p *devicePicker) byName(name string, kind DeviceKind) (Device, bool) {
	for _, d := range p.devices {
		if d.Name == name && d.Kind == kind {
			return d, true
		}
	}
	return Device{}, false
}

func (p *devicePicker) showVerdicts() {
	show := func(note *widget.Label, name string, kind DeviceKind) {
		d, ok := p.byName(name, kind)
		text := ""
		if ok {
			text = verdictWord(p.c.tr, d.Verdict)
			if !d.Note.Empty() {
				text += " — " + p.c.tr.Text(d.Note)
			}
			note.Importance = verdictImportance(d.Verdict)
		}
		note.SetText(text)
	}
	show(p.inNote, p.input.Selected, DeviceInput)
	show(p.outNote, p.output.Selected, DeviceOutput)
}

// apply copies the chosen device IDs into s.
func (p *devicePicker) apply(s Settings) Settings {
	if d, ok := p.byName(p.input.Selected, DeviceInput); ok {
		s.InputDevice = d.ID
	}
	if d, ok := p.byName(p.output.Selected, DeviceOutput); ok {
		s.OutputDevice = d.ID
	}
	if _, locked := p.c.locked[SettingRingDevice]; !locked {
		if d, ok := p.byName(p.ring.Selected, DeviceOutput); ok {
			s.RingDevice = d.ID
		}
	}
	return s
}

func verdictImportance(v Verdict) widget.Importance {
	switch v {
	case VerdictPass:
		return widget.SuccessImportance
	case VerdictWarn:
		return widget.WarningImportance
	case VerdictFail:
		return widget.DangerImportance
	}
	return widget.LowImportance
}

func verdictWord(tr *Translator, v Verdict) string {
	switch v {
	case VerdictPass:
		return tr.T("verdict.pass")
	case VerdictWarn:
		return tr.T("verdict.warn")
	case VerdictSkipped:
		return tr.T("verdict.skipped")
	}
	return tr.T("verdict.fail")
}

// disabler is a widget that can be made read-only.
type disabler interface {
	fyne.CanvasObject
	Disable()
}

// lockable shows w, or, when IT policy sets the setting, the policy's value
// as plain readable text with a note (w stays disabled and off screen, still
// holding the value).
func (c *Controller) lockable(setting string, w disabler) fyne.CanvasObject {
	return c.lockableAs(setting, w, func(v string) string { return v })
}

// lockableAs is lockable showing the policy's value through label.
func (c *Controller) lockableAs(setting string, w disabler, label func(string) string) fyne.CanvasObject {
	value, ok := c.locked[setting]
	if !ok {
		return w
	}
	w.Disable()
	shown := widget.NewLabelWithStyle(label(value), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	note := widget.NewLabelWithStyle(c.tr.T("policy.locked"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	note.SizeName = theme.SizeNameCaptionText
	note.Wrapping = fyne.TextWrapWord
	return container.NewVBox(container.NewHBox(widget.NewIcon(theme.InfoIcon()), shown), note)
}
