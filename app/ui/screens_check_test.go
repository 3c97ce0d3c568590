package ui

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// messagesLayer is the messages window's layer in look: above the main
// window and its dialogs.
const messagesLayer = 100

// What a person sees: the texts and rectangles of the leaf widgets on the
// window and its overlays, scrolled-away parts left out.

type seen struct {
	text   string
	pos    fyne.Position
	size   fyne.Size
	where  string // which widget, for messages
	layer  int    // 0 the window, 1+ an overlay
	scroll bool   // inside a scroll: may extend past the window
}

// look collects the visible leaves of the window and its overlays.
func look(c *Controller) []seen {
	var out []seen
	var rec func(o fyne.CanvasObject, origin fyne.Position, layer int, clip *[2]fyne.Position, inScroll bool)
	rec = func(o fyne.CanvasObject, origin fyne.Position, layer int, clip *[2]fyne.Position, inScroll bool) {
		if o == nil || !o.Visible() {
			return
		}
		pos := origin.Add(o.Position())
		size := o.Size()
		if clip != nil {
			// Left out when scrolled away entirely.
			if pos.X >= clip[1].X || pos.Y >= clip[1].Y || pos.X+size.Width <= clip[0].X || pos.Y+size.Height <= clip[0].Y {
				return
			}
		}
		add := func(text string) {
			// What is drawn: a label's text sits inside its padding; a
			// scroll shows only what is inside it.
			p, sz := pos, size
			if _, ok := o.(*widget.Label); ok {
				in := theme.InnerPadding()
				p, sz = p.Add(fyne.NewPos(in, in/2)), sz.SubtractWidthHeight(2*in, in)
			}
			if clip != nil {
				x0, y0 := max(p.X, clip[0].X), max(p.Y, clip[0].Y)
				x1, y1 := min(p.X+sz.Width, clip[1].X), min(p.Y+sz.Height, clip[1].Y)
				p, sz = fyne.NewPos(x0, y0), fyne.NewSize(x1-x0, y1-y0)
			}
			out = append(out, seen{text: text, pos: p, size: sz, where: fmt.Sprintf("%T %q", o, text), layer: layer, scroll: inScroll})
		}
		switch w := o.(type) {
		case *fyne.Container:
			for _, ch := range w.Objects {
				rec(ch, pos, layer, clip, inScroll)
			}
			return
		case *container.Scroll:
			cl := [2]fyne.Position{pos, pos.Add(fyne.NewPos(size.Width, size.Height))}
			if clip != nil {
				cl = [2]fyne.Position{fyne.NewPos(max(cl[0].X, clip[0].X), max(cl[0].Y, clip[0].Y)),
					fyne.NewPos(min(cl[1].X, clip[1].X), min(cl[1].Y, clip[1].Y))}
			}
			rec(w.Content, pos.Add(w.Content.Position()).Subtract(w.Content.Position()), layer, &cl, true)
			return
		case *widget.Label:
			add(w.Text)
			return
		case *widget.Button:
			add(w.Text)
			return
		case *keyButton:
			add(w.Text)
			return
		case *keyEntry:
			add(w.PlaceHolder)
			return
		case *widget.Entry:
			add(w.PlaceHolder)
			return
		case *widget.Select:
			texts := append([]string{w.Selected, w.PlaceHolder}, w.Options...)
			add(strings.Join(texts, "\n"))
			return
		case *widget.Check:
			add(w.Text)
			return
		case *widget.CheckGroup:
			add(strings.Join(w.Options, "\n"))
			return
		case *widget.RadioGroup:
			add(strings.Join(w.Options, "\n"))
			return
		case *canvas.Text:
			add(w.Text)
			return
		case *widget.ProgressBar, *widget.Icon, *widget.Separator:
			add("")
			return
		case *widget.Card:
			out = append(out, seen{text: w.Title + "\n" + w.Subtitle, where: "card " + w.Title, layer: layer, scroll: inScroll, pos: pos})
		case *widget.Form:
			for _, it := range w.Items {
				out = append(out, seen{text: it.Text + "\n" + it.HintText, where: "form " + it.Text, layer: layer, scroll: inScroll, pos: pos})
			}
		}
		if wid, ok := o.(fyne.Widget); ok {
			for _, ch := range test.WidgetRenderer(wid).Objects() {
				rec(ch, pos, layer, clip, inScroll)
			}
		}
	}
	rec(c.win.Content(), fyne.Position{}, 0, nil, false)
	for i, ov := range c.win.Canvas().Overlays().List() {
		rec(ov, fyne.Position{}, i+1, nil, false)
	}
	// The messages window, when open, is the topmost thing the agent sees.
	if c.msgs != nil && c.msgs.win != nil {
		rec(c.msgs.win.Content(), fyne.Position{}, messagesLayer, nil, false)
	}
	return out
}

// englishOnly are English texts of the catalogue that French writes
// otherwise, cut at their arguments, long enough to mean something.
func englishOnly(t *testing.T) []string {
	en, err := loadCatalog("en")
	if err != nil {
		t.Fatal(err)
	}
	fr, err := loadCatalog("fr")
	if err != nil {
		t.Fatal(err)
	}
	verb := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	var out []string
	for key, e := range en {
		if fr[key] == e {
			continue
		}
		for _, part := range verb.Split(e, -1) {
			if part = strings.TrimSpace(part); len(part) >= 6 && strings.Contains(part, " ") || len(part) >= 8 {
				if !strings.Contains(fr[key], part) {
					out = append(out, part)
				}
			}
		}
	}
	// Words the backend and the fake core send in English, which the GUI
	// must translate (outcomes, statuses, reasons, ringtones).
	// Fyne's own dialog words, in the system's language whatever the app's.
	out = append(out, "Yes", "No", "OK", "Cancel", "Error", "(Select one)")
	return append(out, "Resolved", "Call back", "Transferred", "Callback scheduled", "Technical problem", "Training",
		"Lunch", "[open]", "open", "resolved", "Classic", "Soft", "Not ready", "Available", "Missed", "Declined")
}

// TestEveryScreenInFrench walks every screen in French and fails on any
// English text left (dispositions, reasons, statuses, ringtones were).
func TestEveryScreenInFrench(t *testing.T) {
	words := englishPatterns(t)
	screens := 0
	walkScreens(t, "fr", fyne.NewSize(1280, 800), func(name string, c *Controller) {
		screens++
		for _, e := range englishOn(c, words) {
			t.Errorf("%s: %s", name, e)
		}
	})
	if screens < 16 {
		t.Fatalf("walked %d screens", screens)
	}
}

// The check itself finds English: a reason the backend sends in English,
// shown as is, is caught.
func TestFrenchCheckFindsEnglish(t *testing.T) {
	f := newFake().configured()
	c := onShift(t, f, "fr")
	if got := englishOn(c, englishPatterns(t)); len(got) != 0 {
		t.Fatalf("clean French screen flagged: %v", got)
	}
	c.home.then.SetText("Technical problem")
	if got := englishOn(c, englishPatterns(t)); len(got) == 0 {
		t.Fatal("an English reason on a French screen was not found")
	}
}

func englishPatterns(t *testing.T) []*regexp.Regexp {
	var words []*regexp.Regexp
	for _, e := range englishOnly(t) {
		words = append(words, regexp.MustCompile(`(^|[^\pL])`+regexp.QuoteMeta(e)+`($|[^\pL])`))
	}
	return words
}

// englishOn lists the English texts on the window.
func englishOn(c *Controller, words []*regexp.Regexp) []string {
	var out []string
	for _, s := range look(c) {
		if s.text == "" || allowedEnglish(s.text) {
			continue
		}
		for _, w := range words {
			if w.MatchString(s.text) {
				out = append(out, fmt.Sprintf("English %q in %s", w.String(), s.where))
			}
		}
	}
	return out
}

// allowedEnglish: data that is English whatever the language (customer
// notes typed in English, device names, numbers).
func allowedEnglish(text string) bool {
	for _, ok := range []string{"Jabra", "Built-in Audio", "Alice Agent", "Sam Supervisor", "sip.example.com", "USB headset", "Laptop speakers"} {
		if strings.Contains(text, ok) {
			return true
		}
	}
	return false
}

// TestEveryScreenFits: at 1280×800 and 1080×720, in English and French,
// no screen asks for more room than the window has (the Account screen grew
// to 1558 px), and no two things are drawn over each other (the Not-ready
// reason over the state control).
func TestEveryScreenFits(t *testing.T) {
	for _, size := range []fyne.Size{fyne.NewSize(1280, 800), fyne.NewSize(1080, 720)} {
		for _, lang := range supportedLanguages {
			t.Run(fmt.Sprintf("%s-%.0fx%.0f", lang, size.Width, size.Height), func(t *testing.T) {
				walkScreens(t, lang, size, func(name string, c *Controller) {
					checkFits(t, name, c, size)
				})
			})
		}
	}
}

func checkFits(t *testing.T, name string, c *Controller, size fyne.Size) {
	t.Helper()
	if min := c.win.Content().MinSize(); min.Width > size.Width || min.Height > size.Height {
		t.Errorf("%s: needs %.0f×%.0f, more than the %.0f×%.0f window", name, min.Width, min.Height, size.Width, size.Height)
	}
	if c.msgs != nil && c.msgs.win != nil {
		if min, have := c.msgs.win.Content().MinSize(), c.msgs.win.Canvas().Size(); min.Width > have.Width || min.Height > have.Height {
			t.Errorf("%s: the messages window needs %.0f×%.0f, more than its %.0f×%.0f", name, min.Width, min.Height, have.Width, have.Height)
		}
	}
	for _, ov := range c.win.Canvas().Overlays().List() {
		if pop, ok := ov.(*widget.PopUp); ok {
			if min := pop.Content.MinSize(); min.Width > size.Width || min.Height > size.Height {
				t.Errorf("%s: a dialog needs %.0f×%.0f", name, min.Width, min.Height)
			}
		}
	}
	items := look(c)
	top := 0
	for _, s := range items {
		top = max(top, s.layer)
	}
	var boxes []seen
	for _, s := range items {
		if s.size.Width < 2 || s.size.Height < 2 || s.layer != top || strings.HasPrefix(s.where, "card") || strings.HasPrefix(s.where, "form") {
			continue
		}
		if !s.scroll && (s.pos.X < -1 || s.pos.Y < -1 || s.pos.X+s.size.Width > size.Width+1 || s.pos.Y+s.size.Height > size.Height+1) {
			t.Errorf("%s: %s at %v size %v leaves the window", name, s.where, s.pos, s.size)
		}
		boxes = append(boxes, s)
	}
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			// The same place: one widget drawn twice, unless two texts
			// differ (two cards' titles one over the other).
			same := reflect.DeepEqual(a.pos, b.pos) && (a.text == "" || b.text == "" || a.text == b.text)
			if overlap(a, b) > 2 && !same {
				t.Errorf("%s: %s overlaps %s", name, a.where, b.where)
			}
		}
	}
}

// overlap is the smaller side of the intersection of two boxes (0: none).
func overlap(a, b seen) float32 {
	w := min(a.pos.X+a.size.Width, b.pos.X+b.size.Width) - max(a.pos.X, b.pos.X)
	h := min(a.pos.Y+a.size.Height, b.pos.Y+b.size.Height) - max(a.pos.Y, b.pos.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return min(w, h)
}
