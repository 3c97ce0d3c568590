package ui

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Colours that carry meaning; the same in light and dark themes so the
// agent learns them once.
var (
	colorGood = color.NRGBA{R: 0x2e, G: 0x9e, B: 0x4f, A: 0xff}
	colorWarn = color.NRGBA{R: 0xe0, G: 0x9b, B: 0x12, A: 0xff}
	colorBad  = color.NRGBA{R: 0xd6, G: 0x3a, B: 0x3a, A: 0xff}
	colorIdle = color.NRGBA{R: 0x80, G: 0x86, B: 0x8f, A: 0xff}
	colorInfo = color.NRGBA{R: 0x2f, G: 0x6f, B: 0xd6, A: 0xff}
	// colorNotice is an informing strip under the demo's blue banner.
	colorNotice  = color.NRGBA{R: 0x3b, G: 0x4a, B: 0x63, A: 0xff}
	colorOnBadge = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	// colorRing is the background of a ringing call: seen at a glance.
	colorRing = color.NRGBA{R: 0x2e, G: 0x9e, B: 0x4f, A: 0x40}
)

func stateColor(s AgentState) color.Color {
	switch s {
	case StateAvailable:
		return colorGood
	case StateOnCall:
		return colorInfo
	case StateWrapUp, StateBreak, StateChecking:
		return colorWarn
	case StateNotReady:
		return colorBad
	}
	return colorIdle
}

func verdictColor(v Verdict) color.Color {
	switch v {
	case VerdictPass:
		return colorGood
	case VerdictWarn:
		return colorWarn
	case VerdictSkipped:
		return colorIdle
	}
	return colorBad
}

// dot is a small coloured status light.
func newDot(c color.Color) *canvas.Circle {
	d := canvas.NewCircle(c)
	d.Resize(fyne.NewSize(12, 12))
	return d
}

// dotLabel is a status light followed by a label.
type dotLabel struct {
	dot   *canvas.Circle
	label *widget.Label
	root  fyne.CanvasObject
}

func newDotLabel(c color.Color, text string) *dotLabel {
	d := &dotLabel{dot: newDot(c), label: widget.NewLabel(text)}
	d.root = container.NewHBox(container.New(&fixedCenter{size: fyne.NewSize(12, 12)}, d.dot), d.label)
	return d
}

func (d *dotLabel) set(c color.Color, text string) {
	d.dot.FillColor = c
	d.dot.Refresh()
	d.label.SetText(text)
}

// fixedCenter gives its single child a fixed size, centred vertically.
type fixedCenter struct{ size fyne.Size }

func (f *fixedCenter) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Resize(f.size)
		o.Move(fyne.NewPos((s.Width-f.size.Width)/2, (s.Height-f.size.Height)/2))
	}
}

func (f *fixedCenter) MinSize([]fyne.CanvasObject) fyne.Size { return f.size }

// mosBars draws the call quality as five bars, like a signal meter.
type mosBars struct {
	bars []*canvas.Rectangle
	root fyne.CanvasObject
}

func newMOSBars() *mosBars {
	m := &mosBars{}
	var objs []fyne.CanvasObject
	for i := range 5 {
		r := canvas.NewRectangle(colorIdle)
		r.CornerRadius = 1
		m.bars = append(m.bars, r)
		h := float32(6 + 4*i)
		objs = append(objs, container.New(&bottomAligned{size: fyne.NewSize(6, h), height: 22}, r))
	}
	m.root = container.New(layout.NewCustomPaddedHBoxLayout(2), objs...)
	return m
}

// set lights one bar per MOS point (1..5); mos 0 means no figures yet.
func (m *mosBars) set(mos float64) {
	lit := int(mos + 0.5)
	c := colorGood
	switch {
	case mos == 0:
		lit = 0
	case mos < mosWarn-0.6:
		c = colorBad
	case mos < mosWarn:
		c = colorWarn
	}
	for i, r := range m.bars {
		if i < lit {
			r.FillColor = c
		} else {
			r.FillColor = theme.Color(theme.ColorNameDisabled)
		}
		r.Refresh()
	}
}

// bottomAligned sizes its child and sits it on the bottom of a fixed height.
type bottomAligned struct {
	size   fyne.Size
	height float32
}

func (b *bottomAligned) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Resize(b.size)
		o.Move(fyne.NewPos(0, s.Height-b.size.Height))
	}
}

func (b *bottomAligned) MinSize([]fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(b.size.Width, b.height)
}

// banner is a full-width coloured strip with a message that wraps.
type banner struct {
	bg   *canvas.Rectangle
	text *widget.Label
	root *fyne.Container
}

func newBanner(bg color.Color) *banner {
	b := &banner{bg: canvas.NewRectangle(bg), text: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	b.text.Wrapping = fyne.TextWrapWord
	// White text on the strip in light and dark themes alike.
	onStrip := container.NewThemeOverride(b.text, foregroundTheme{colorOnBadge})
	b.root = container.NewStack(b.bg, onStrip)
	b.root.Hide()
	return b
}

func (b *banner) show(bg color.Color, msg string) {
	b.bg.FillColor = bg
	b.bg.Refresh()
	b.text.SetText(msg)
	b.root.Show()
}

func (b *banner) hide() { b.root.Hide() }

// foregroundTheme is the app's theme with one text colour.
type foregroundTheme struct{ fg color.Color }

func (f foregroundTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameForeground {
		return f.fg
	}
	return fyne.CurrentApp().Settings().Theme().Color(n, v)
}

func (foregroundTheme) Font(s fyne.TextStyle) fyne.Resource {
	return fyne.CurrentApp().Settings().Theme().Font(s)
}

func (foregroundTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return fyne.CurrentApp().Settings().Theme().Icon(n)
}

func (foregroundTheme) Size(n fyne.ThemeSizeName) float32 {
	return fyne.CurrentApp().Settings().Theme().Size(n)
}

// heading is a large bold title.
func heading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// formatClock shows a duration as H:MM:SS or M:SS.
func formatClock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	d = d.Truncate(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

// setText changes a label only when the text differs: the once-a-second
// tick must not repaint an idle window (idle CPU is a benchmark goal).
func setText(l *widget.Label, text string) {
	if l.Text != text {
		l.SetText(text)
	}
}

// formatHours shows a duration as H:MM:SS even under an hour, so a summary
// of 22 minutes does not read like the clock time 22:00.
func formatHours(d time.Duration) string {
	if d < time.Hour {
		return "0:" + fmt.Sprintf("%05s", formatClock(d))
	}
	return formatClock(d)
}
