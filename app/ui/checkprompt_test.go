package ui

import (
	"context"
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// checkAgentRun drives a check that asks the agent: the check itself runs
// on its own goroutine (as in the app, it blocks until the agent answers),
// every other async work inline. steps hears each question once it is on
// screen and each checkpoint of the scripted check; resume lets the check
// go on after a checkpoint; done closes when the check has finished and
// its results are shown.
type checkAgentRun struct {
	c      *Controller
	f      *fake
	steps  chan string
	resume chan struct{}
	done   chan struct{}
}

func startCheckAgentRun(t *testing.T, lang string, script func(ctx context.Context, agent CheckAgent, r *checkAgentRun) (CheckReport, error)) *checkAgentRun {
	t.Helper()
	r := &checkAgentRun{f: newFake().configured(), steps: make(chan string, 8), resume: make(chan struct{}), done: make(chan struct{})}
	begin := make(chan struct{})
	r.f.checkRun = func(ctx context.Context, agent CheckAgent) (CheckReport, error) {
		<-begin
		return script(ctx, agent, r)
	}
	first := true
	spawn := func(work func()) {
		if first { // the check: on its own goroutine, as in the app
			first = false
			go func() { defer close(r.done); work() }()
			return
		}
		work()
	}
	a := test.NewTempApp(t)
	c, err := newController(a, Options{Backend: r.f.backend(), Language: lang}, spawn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.cancel)
	r.c = c
	c.check.prompt.shown = func(step string) { r.steps <- step }
	close(begin)
	return r
}

// checkpoint tells the test where the scripted check is and waits for it.
func (r *checkAgentRun) checkpoint(name string) {
	r.steps <- name
	<-r.resume
}

func (r *checkAgentRun) expect(t *testing.T, step string) {
	t.Helper()
	select {
	case got := <-r.steps:
		if got != step {
			t.Fatalf("check step %q, want %q", got, step)
		}
	case <-r.done:
		t.Fatalf("the check ended before %q", step)
	case <-time.After(10 * time.Second):
		t.Fatalf("no %q within 10 s", step)
	}
}

func (r *checkAgentRun) finish(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the check did not finish")
	}
}

// TestCheckAsksTheAgentToReadAndListen: the GUI used to run the check
// without the agent, so the read-a-sentence step (the close-talk test that
// settles an unrecognised microphone) never ran and a backend without a
// monitor could not confirm the speaker. Now the check shows the sentence
// with Start reading (Enter), the live level, a countdown and advice while
// it records; then asks whether the test sound was heard (Yes / No / Play
// again, which replays before the agent answers); the answers reach the
// check; the results come back in place of the question.
func TestCheckAsksTheAgentToReadAndListen(t *testing.T) {
	var readErr error
	var heard, heardErr = true, error(nil)
	replays := 0
	r := startCheckAgentRun(t, "en", func(ctx context.Context, agent CheckAgent, r *checkAgentRun) (CheckReport, error) {
		readErr = agent.ReadAloud(ctx, 4)
		agent.Progress(CheckProgress{Step: 4, Steps: 6, Reading: true, ReadLeft: 2600 * time.Millisecond, MicLevel: 0.12, Voice: VoiceQuiet})
		r.checkpoint("recording")
		agent.Progress(CheckProgress{Step: 4, Steps: 6})
		r.checkpoint("recorded")
		heard, heardErr = agent.HeardSound(ctx, func(context.Context) error { replays++; return nil })
		return CheckReport{Results: []CheckResult{{Check: "speaker", Verdict: VerdictFail, Fix: Text{Key: "check.msg.speaker_not_heard"}}}}, nil
	})
	c, p := r.c, r.c.check.prompt

	r.expect(t, "read")
	if !p.read.Visible() || p.heard.Visible() || !p.active() {
		t.Fatal("the sentence card must be shown, alone, in place of the results")
	}
	if p.sentence.Text != c.tr.T("check.read.sentence") || p.readInfo.Text != c.tr.T("check.read.intro", 4) {
		t.Fatalf("sentence %q, intro %q", p.sentence.Text, p.readInfo.Text)
	}
	if c.win.Canvas().Focused() != p.start {
		t.Fatal("Start reading must have the keyboard, so Enter starts")
	}
	key(c, fyne.KeyReturn)

	r.expect(t, "recording")
	if p.start.Visible() || p.skip.Visible() {
		t.Fatal("Start reading and Skip must go once the agent reads")
	}
	if got, want := p.readLeft.Text, c.tr.T("check.read.left", 3); got != want {
		t.Fatalf("countdown %q, want %q", got, want)
	}
	if p.hint.Text != c.tr.T("check.voice.quiet") || p.level.Value != 0.12 {
		t.Fatalf("advice %q, level %v: want the too-quiet advice and the live level", p.hint.Text, p.level.Value)
	}
	r.resume <- struct{}{}
	r.expect(t, "recorded")
	if p.readLeft.Text != c.tr.T("check.read.done") {
		t.Fatalf("after the recording %q, want the thanks", p.readLeft.Text)
	}
	r.resume <- struct{}{}

	r.expect(t, "heard")
	if !p.heard.Visible() || p.read.Visible() {
		t.Fatal("the did-you-hear card must replace the sentence")
	}
	if c.win.Canvas().Focused() != p.yes {
		t.Fatal("Yes must have the keyboard")
	}
	test.Tap(p.again)
	if replays != 1 || p.heardNote.Text != c.tr.T("check.heard.played") || p.yes.Disabled() {
		t.Fatalf("Play again: %d replays, note %q, yes disabled %v", replays, p.heardNote.Text, p.yes.Disabled())
	}
	c.win.Canvas().Focus(p.no)
	key(c, fyne.KeySpace)
	r.finish(t)

	if readErr != nil || heard || heardErr != nil {
		t.Fatalf("the check got read %v, heard %v (%v); want started, not heard", readErr, heard, heardErr)
	}
	if p.active() {
		t.Fatal("the question must go when the check is done")
	}
	if len(c.check.results.Objects) != 1 {
		t.Fatalf("results shown: %d, want the speaker's", len(c.check.results.Objects))
	}
	// The meters are back above the results, laid out again (they were
	// drawn over the results' title in the demo).
	d := fyne.CurrentApp().Driver()
	meters, results := p.meters, p.behind
	if below, top := d.AbsolutePositionForObject(meters).Y+meters.Size().Height, d.AbsolutePositionForObject(results).Y; !meters.Visible() || top < below {
		t.Fatalf("results card at y=%.0f, meters end at y=%.0f (visible %v)", top, below, meters.Visible())
	}
}

// TestCheckReadingCanBeSkipped: Skip tells the check (which then warns
// that the microphone is unconfirmed) and takes the card away.
func TestCheckReadingCanBeSkipped(t *testing.T) {
	var readErr error
	r := startCheckAgentRun(t, "fr", func(ctx context.Context, agent CheckAgent, r *checkAgentRun) (CheckReport, error) {
		readErr = agent.ReadAloud(ctx, 4)
		return CheckReport{CanStart: true}, nil
	})
	r.expect(t, "read")
	p := r.c.check.prompt
	if p.start.Text != "Commencer la lecture" || p.skip.Text != "Passer" {
		t.Fatalf("buttons %q / %q, want French", p.start.Text, p.skip.Text)
	}
	test.Tap(p.skip)
	r.finish(t)
	if !errors.Is(readErr, ErrStepSkipped) || p.active() {
		t.Fatalf("skip: check got %v, card shown %v", readErr, p.active())
	}
	if r.c.check.start.Disabled() {
		t.Fatal("a passing check after a skip still lets the shift start")
	}
}
