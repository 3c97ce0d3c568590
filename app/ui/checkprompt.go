package ui

import (
	"context"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The steps of the check that need the agent: reading a sentence aloud
// (the microphone's level and whether it sits near the mouth, which settles
// a microphone Homeshore does not recognise) and, where the computer cannot
// listen to its own output, whether the agent heard the test sound. Each
// shows as a card in place of the results while the check waits for the
// agent; Enter or Space presses the focused button, Tab moves between them.

// screenAgent is the agent at the check screen as the running check (on
// another goroutine) reaches them: every call goes through post, and finds
// the check screen there (a language switch rebuilds it).
type screenAgent struct{ c *Controller }

func (a screenAgent) Progress(p CheckProgress) {
	a.c.post(func() { a.c.handle(CheckProgressed{Progress: p}) })
}

// ReadAloud shows the sentence and waits for Start reading or Skip.
func (a screenAgent) ReadAloud(ctx context.Context, seconds float64) error {
	answer := make(chan error, 1)
	a.c.post(func() { a.c.check.prompt.askRead(seconds, func(err error) { answer <- err }) })
	select {
	case err := <-answer:
		return err
	case <-ctx.Done():
		a.c.post(func() { a.c.check.prompt.hide() })
		return ctx.Err()
	}
}

// HeardSound asks whether the test sound was heard; Play again replays it.
func (a screenAgent) HeardSound(ctx context.Context, replay func(context.Context) error) (bool, error) {
	answer := make(chan bool, 1)
	a.c.post(func() { a.c.check.prompt.askHeard(replay, func(heard bool) { answer <- heard }) })
	select {
	case heard := <-answer:
		return heard, nil
	case <-ctx.Done():
		a.c.post(func() { a.c.check.prompt.hide() })
		return false, ctx.Err()
	}
}

// checkPrompt is the card of a step that waits for the agent.
type checkPrompt struct {
	c    *Controller
	root *fyne.Container
	// behind is what the card hides while it is up (the results); meters
	// is the screen's progress and level, hidden while the sentence card
	// shows its own.
	behind, meters fyne.CanvasObject
	// relayout lays the screen out again once meters show or hide.
	relayout func()

	read     *widget.Card
	readInfo *widget.Label
	sentence *widget.Label
	level    *widget.ProgressBar
	readLeft *widget.Label
	hintDot  *canvas.Circle
	hint     *widget.Label
	start    *keyButton
	skip     *keyButton
	// reading: the agent pressed Start reading (answered is then nil).
	reading  bool
	answered func(error)

	heard     *widget.Card
	yes       *keyButton
	no        *keyButton
	again     *keyButton
	heardNote *widget.Label
	replay    func(context.Context) error
	heardAns  func(bool)

	// shown, when set (tests), hears "read" or "heard" once that question
	// is on screen.
	shown func(step string)
}

func newCheckPrompt(c *Controller, behind, meters fyne.CanvasObject) *checkPrompt {
	t := c.tr.T
	p := &checkPrompt{c: c, behind: behind, meters: meters, relayout: func() {}}
	p.readInfo = wrapLabel("")
	p.sentence = widget.NewLabelWithStyle(t("check.read.sentence"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.sentence.Wrapping = fyne.TextWrapWord
	p.sentence.SizeName = theme.SizeNameSubHeadingText
	p.level = widget.NewProgressBar()
	p.level.TextFormatter = func() string { return "" }
	p.readLeft = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	p.hintDot = canvas.NewCircle(color.Transparent)
	p.hint = wrapLabel("")
	p.start = c.newKeyButton(t("check.read.start"), theme.MediaRecordIcon(), p.startReading)
	p.start.Importance = widget.HighImportance
	p.skip = c.newKeyButton(t("check.read.skip"), theme.MediaSkipNextIcon(), p.skipReading)
	hintRow := container.NewBorder(nil, nil, container.NewPadded(container.New(&fixedCenter{size: fyne.NewSize(12, 12)}, p.hintDot)), nil, p.hint)
	meter := container.NewBorder(nil, nil, widget.NewLabel(t("check.mic")), nil, p.level)
	p.read = widget.NewCard(t("check.read.title"), "", container.NewVBox(p.readInfo, p.sentence, meter,
		container.New(layout.NewCustomPaddedVBoxLayout(0), p.readLeft, hintRow),
		container.NewBorder(nil, nil, p.skip, p.start)))

	p.yes = c.newKeyButton(t("check.heard.yes"), theme.ConfirmIcon(), func() { p.answerHeard(true) })
	p.yes.Importance = widget.HighImportance
	p.no = c.newKeyButton(t("check.heard.no"), theme.CancelIcon(), func() { p.answerHeard(false) })
	p.again = c.newKeyButton(t("check.heard.again"), theme.MediaReplayIcon(), p.playAgain)
	p.heardNote = wrapLabel("")
	p.heard = widget.NewCard(t("check.heard.title"), "", container.NewVBox(
		wrapLabel(t("check.heard.body")), wrapLabel(t("check.heard.help")), p.heardNote,
		container.NewBorder(nil, nil, p.again, container.NewHBox(p.no, p.yes))))

	p.root = container.NewStack(p.read, p.heard)
	p.read.Hide()
	p.heard.Hide()
	p.root.Hide()
	return p
}

func wrapLabel(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// active: a card is on screen (the results are hidden behind it).
func (p *checkPrompt) active() bool { return p.root.Visible() }

func (p *checkPrompt) show(card *widget.Card, focus fyne.Focusable) {
	p.read.Hide()
	p.heard.Hide()
	card.Show()
	p.behind.Hide()
	p.meters.Show()
	if card == p.read {
		p.meters.Hide()
	}
	p.root.Show()
	p.relayout()
	p.root.Refresh()
	if p.c.frame.current == screenCheck {
		p.c.win.Canvas().Focus(focus)
	}
}

// hide takes the card away; an unanswered question is left to ctx.
func (p *checkPrompt) hide() {
	p.root.Hide()
	p.behind.Show()
	p.meters.Show()
	p.relayout()
	p.read.Hide()
	p.heard.Hide()
	p.reading, p.answered, p.heardAns, p.replay = false, nil, nil, nil
}

// askRead shows the sentence; answered gets nil on Start reading,
// ErrStepSkipped on Skip.
func (p *checkPrompt) askRead(seconds float64, answered func(error)) {
	t := p.c.tr.T
	p.answered, p.reading = answered, false
	p.readInfo.SetText(t("check.read.intro", int(seconds+0.5)))
	p.level.SetValue(0)
	p.readLeft.SetText(t("check.read.when"))
	p.setHint(VoiceUnknown)
	p.start.Show()
	p.skip.Show()
	p.start.Enable()
	p.skip.Enable()
	p.show(p.read, p.start)
	if p.shown != nil {
		p.shown("read")
	}
}

func (p *checkPrompt) startReading() {
	if p.answered == nil {
		return
	}
	done := p.answered
	p.answered, p.reading = nil, true
	p.start.Hide()
	p.skip.Hide()
	p.readLeft.SetText(p.c.tr.T("check.read.now"))
	p.c.win.Canvas().Unfocus()
	done(nil)
}

func (p *checkPrompt) skipReading() {
	if p.answered == nil {
		return
	}
	done := p.answered
	p.hide()
	done(ErrStepSkipped)
}

// progress shows the live level, the countdown and the voice advice while
// the sentence is recorded, and thanks the agent when it is over.
func (p *checkPrompt) progress(pr CheckProgress) {
	if !p.reading {
		return
	}
	t := p.c.tr.T
	if !pr.Reading {
		p.level.SetValue(0)
		p.readLeft.SetText(t("check.read.done"))
		return
	}
	p.level.SetValue(pr.MicLevel)
	if pr.ReadLeft > 0 {
		setText(p.readLeft, t("check.read.left", int(pr.ReadLeft.Seconds()+0.99)))
	}
	p.setHint(pr.Voice)
}

// voiceHints are the advice texts and lights for each hint.
var voiceHints = map[VoiceHint]struct {
	key   string
	color color.Color
}{
	VoiceGood:   {"check.voice.good", colorGood},
	VoiceQuiet:  {"check.voice.quiet", colorWarn},
	VoiceSilent: {"check.voice.silent", colorBad},
	VoiceLoud:   {"check.voice.loud", colorWarn},
}

func (p *checkPrompt) setHint(h VoiceHint) {
	v, ok := voiceHints[h]
	if !ok {
		p.hint.SetText("")
		p.hintDot.FillColor = color.Transparent
		p.hintDot.Refresh()
		return
	}
	setText(p.hint, p.c.tr.T(v.key))
	p.hintDot.FillColor = v.color
	p.hintDot.Refresh()
}

// askHeard asks whether the test sound was heard in the headset.
func (p *checkPrompt) askHeard(replay func(context.Context) error, answered func(bool)) {
	p.replay, p.heardAns = replay, answered
	p.heardNote.SetText("")
	p.heardNote.Hide()
	p.setHeardButtons(true)
	p.again.Hidden = replay == nil
	p.show(p.heard, p.yes)
	if p.shown != nil {
		p.shown("heard")
	}
}

func (p *checkPrompt) answerHeard(heard bool) {
	if p.heardAns == nil {
		return
	}
	done := p.heardAns
	p.hide()
	done(heard)
}

func (p *checkPrompt) setHeardButtons(on bool) {
	for _, b := range []*keyButton{p.yes, p.no, p.again} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// playAgain replays the test sound; the answers wait until it played.
func (p *checkPrompt) playAgain() {
	replay := p.replay
	if replay == nil || p.heardAns == nil {
		return
	}
	t := p.c.tr.T
	p.setHeardButtons(false)
	p.heardNote.SetText(t("check.heard.playing"))
	p.heardNote.Show()
	p.heard.Refresh() // the note takes its room
	p.c.async(func(ctx context.Context) func() {
		err := replay(ctx)
		return func() {
			p.setHeardButtons(true)
			if err != nil {
				p.heardNote.SetText(t("check.heard.fail", err.Error()))
				return
			}
			p.heardNote.SetText(t("check.heard.played"))
			if p.c.frame.current == screenCheck && p.heard.Visible() {
				p.c.win.Canvas().Focus(p.yes)
			}
		}
	})
}
