package ui

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"
)

// AppID is the Fyne application ID (matches FyneApp.toml).
const AppID = "org.homeshore.Homeshore"

// Options configure Main.
type Options struct {
	Backend Backend
	// Demo shows the "this is a demo" banner.
	Demo bool
	// DemoNote is added to the demo banner (e.g. no audio device: silent calls).
	DemoNote string
	// Language overrides the OS language and the saved setting ("en", "fr").
	Language string
	Logger   *slog.Logger
	// OnShown is called once the main window is on screen (benchmarks).
	OnShown func()
	// NoTray leaves out the system tray (screenshots, or a GUI started
	// after the Fyne app already runs: the tray must exist before Run).
	NoTray bool
	// DemoActions fill the demo menu (simulated failures); demo only.
	DemoActions []DemoAction
}

// DemoAction is one entry of the demo menu: Label is a catalogue key.
type DemoAction struct {
	Label string
	Run   func(ctx context.Context) error
}

// Main runs the GUI until the window is closed or ctx is cancelled.
func Main(ctx context.Context, opts Options) error {
	a := fyneapp.NewWithID(AppID)
	c, err := NewController(a, opts)
	if err != nil {
		return err
	}
	stop := c.Start(ctx)
	defer stop()
	ended := make(chan struct{})
	defer close(ended)
	go func() {
		select {
		case <-ctx.Done():
			fyne.Do(a.Quit)
		case <-ended:
		}
	}()
	if opts.OnShown != nil {
		a.Lifecycle().SetOnStarted(opts.OnShown)
	}
	c.win.ShowAndRun()
	return nil
}

// Controller owns the main window and the agent's session state. All its
// fields are touched only on the Fyne thread: events from other goroutines
// reach it through post (the only caller of fyne.Do).
type Controller struct {
	app  fyne.App
	win  fyne.Window
	be   Backend
	opts Options
	log  *slog.Logger
	tr   *Translator

	account  Account
	settings Settings
	locked   Locked

	status ShiftStatus
	reg    RegStatus
	// call is the call the controls act on: ringing, dialled or answered.
	call *activeCall
	// held is the other answered call, on hold (call waiting, consultation)
	// or, in a conference, the other leg.
	held *activeCall
	// waiting rings while call is on (call waiting).
	waiting *activeCall
	// conference: call and held are mixed together.
	conference bool
	recent     []RecentCall
	// unseenMissed counts missed calls since the agent last looked (badge).
	unseenMissed int
	lastDialed   string
	alert        string
	alertCheck   bool
	// notice is the blue strip's message ("" none).
	notice   string
	regAlert bool
	trayOn   bool
	report   *CheckReport
	shiftSum ShiftSummary
	// dialogs are the open dialogs an incoming call closes, so nothing rings
	// behind one.
	dialogs []dialog.Dialog

	ctx    context.Context
	cancel context.CancelFunc
	// spawn starts async work; tests run it inline to stay deterministic.
	spawn func(func())
	work  sync.WaitGroup

	frame   *frame
	first   *firstRunView
	check   *precheckView
	home    *homeView
	wrap    *wrapUpView
	summary *summaryView
	// ticket is the ticket opened last from a screen-pop.
	ticket *ticketView
	msgs   *messagesUI
}

// activeCall is one call on screen.
type activeCall struct {
	info      CallInfo
	ringing   bool
	onHold    bool
	heldSince time.Time
	muted     bool
	quality   Quality
	tickets   []Ticket
	// looked: the screen-pop lookup returned (lookupErr says how).
	looked    bool
	lookupErr error
	stopRing  func()
	// dtmf are the digits sent to the caller, shown on screen.
	dtmf string
	// transferredTo is where the agent transferred the call;
	// transferringTo where a transfer under way goes.
	transferredTo, transferringTo string
	// consult: the agent placed this call to consult about held.
	consult bool
	// declined: the agent rejected it.
	declined bool
	// linked are consultation or conference legs logged with this call.
	linked []*activeCall
	ended  time.Time
}

// NewController builds the window on app a; Start begins event delivery.
func NewController(a fyne.App, opts Options) (*Controller, error) {
	return newController(a, opts, nil)
}

// newController takes spawn, which starts async work; nil means a goroutine
// that stop waits for. Tests pass one that runs work inline.
func newController(a fyne.App, opts Options, spawn func(func())) (*Controller, error) {
	be := opts.Backend
	if be.Phone == nil || be.Shift == nil || be.Tickets == nil || be.Checker == nil ||
		be.Devices == nil || be.Secrets == nil || be.Config == nil {
		return nil, fmt.Errorf("%w: Phone, Shift, Tickets, Checker, Devices, Secrets and Config are required", ErrNoBackend)
	}
	if be.Clock == nil {
		be.Clock = time.Now
	}
	if be.Ringer == nil {
		be.Ringer = silentRinger{}
	}
	if be.Normalize == nil {
		be.Normalize = func(n string) string { return n }
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	account, settings, err := be.Config.Load()
	if err != nil {
		log.Warn("settings could not be read; starting from defaults", "err", err)
	}
	if settings.WrapUpSeconds <= 0 {
		settings.WrapUpSeconds = defaultWrapUpSeconds
	}
	c := &Controller{app: a, be: be, opts: opts, log: log, account: account, settings: settings, locked: be.Config.Locked()}
	c.applyLocked()
	language := opts.Language
	if language == "" {
		language = c.settings.Language
	}
	if c.tr, err = NewTranslator(language); err != nil {
		return nil, err
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.spawn = spawn
	if c.spawn == nil {
		c.spawn = func(f func()) {
			c.work.Add(1)
			go func() { defer c.work.Done(); f() }()
		}
	}
	c.applyTheme()
	c.win = a.NewWindow("Homeshore")
	c.win.Resize(fyne.NewSize(1080, 720))
	c.win.SetMaster()
	c.build()
	c.installShortcuts()
	c.showStart()
	return c, nil
}

const defaultWrapUpSeconds = 60

// applyLocked lets IT policy win over the agent's own values.
func (c *Controller) applyLocked() {
	if v, ok := c.locked[SettingServer]; ok {
		c.account.Server = v
	}
	if v, ok := c.locked[SettingTransport]; ok {
		c.account.Transport = v
	}
	if v, ok := c.locked[SettingBackendURL]; ok {
		c.account.BackendURL = v
	}
	if v, ok := c.locked[SettingLanguage]; ok {
		c.settings.Language = v
	}
	if v, ok := c.locked[SettingRingDevice]; ok {
		c.settings.RingDevice = v
	}
}

// Window is the main window (tests and screenshots).
func (c *Controller) Window() fyne.Window { return c.win }

// Start delivers the backend's events and the one-second tick until the
// returned stop is called (or ctx ends); stop waits for both goroutines.
func (c *Controller) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{}, 2)
	go func() { defer func() { done <- struct{}{} }(); c.pumpEvents(ctx) }()
	go func() { defer func() { done <- struct{}{} }(); c.pumpTicks(ctx) }()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			c.cancel()
			<-done
			<-done
			c.work.Wait()
		})
	}
}

// build makes every view once; language changes rebuild them.
func (c *Controller) build() {
	c.frame = newFrame(c)
	c.first = newFirstRunView(c)
	c.check = newPrecheckView(c)
	c.home = newHomeView(c)
	c.wrap = newWrapUpView(c)
	c.summary = newSummaryView(c)
	c.win.SetContent(c.frame.root)
	c.installTray()
}

// showStart opens first-run setup until an account is complete, else the check.
func (c *Controller) showStart() {
	if c.needsSetup() {
		c.showFirstRun()
		return
	}
	c.showPrecheck()
}

func (c *Controller) needsSetup() bool {
	if c.account.Server == "" || c.account.User == "" || c.account.BackendURL == "" {
		return true
	}
	pw, err := c.be.Secrets.Get(SecretSIPPassword)
	return err != nil || pw == ""
}

func (c *Controller) showFirstRun() {
	if c.frame.current != screenFirstRun {
		c.first.back = c.frame.current
	}
	c.first.load()
	if c.needsSetup() && c.first.back == "" {
		c.first.cancel.Disable() // nothing to go back to before the first account
	} else {
		c.first.cancel.Enable()
	}
	c.frame.show(screenFirstRun, c.first.root)
}
func (c *Controller) showPrecheck() {
	c.frame.show(screenCheck, c.check.root)
	switch {
	case c.check.running:
	case c.report != nil:
		c.check.done(*c.report, nil)
	default:
		c.check.run()
	}
}
func (c *Controller) showHome() { c.home.refresh(); c.frame.show(screenHome, c.home.root) }

// showPrecheckRun opens the check and runs it again (mid-shift, after a
// device problem).
func (c *Controller) showPrecheckRun() {
	c.report = nil
	c.showPrecheck()
}
func (c *Controller) showSummary() { c.summary.refresh(); c.frame.show(screenSummary, c.summary.root) }

// setLanguage switches language and rebuilds the views in place.
func (c *Controller) setLanguage(language string) error {
	tr, err := NewTranslator(language)
	if err != nil {
		return err
	}
	c.tr = tr
	current := c.frame.current
	prevWrap := c.wrap
	c.build()
	c.installShortcuts()
	switch current {
	case screenFirstRun:
		c.showFirstRun()
	case screenCheck:
		c.showPrecheck()
	case screenSummary:
		c.showSummary()
	default:
		c.showHome()
		c.restoreCallPanels(prevWrap)
	}
	return nil
}

// restoreCallPanels puts the ringing call, the call in progress or the
// wrap-up (with everything typed) back after the views were rebuilt.
func (c *Controller) restoreCallPanels(prevWrap *wrapUpView) {
	if prevWrap != nil && prevWrap.call != nil {
		c.wrap.resume(prevWrap)
	}
	c.refreshPanel()
}

func (c *Controller) now() time.Time { return c.be.Clock() }

type silentRinger struct{}

func (silentRinger) Ring(string, string) func() { return func() {} }
