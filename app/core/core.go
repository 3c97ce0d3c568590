// Package core is the real backend of the GUI: it adapts the SIP user agent,
// the audio devices, the shift machine, the pre-shift checks, the ticket
// client and the agent's settings to the small interfaces of app/ui.
package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/precheck"
	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/media/devinfo"
	"github.com/homeshore/homeshore/sip"
)

// DefaultQualityEvery is how often a call's live quality is sent to the GUI.
const DefaultQualityEvery = time.Second

// Options configure the core. Only what tests replace is here; the zero
// value is the real thing.
type Options struct {
	// ProfilePath is the agent's profile; "" means config.DefaultProfilePath.
	ProfilePath string
	// Policy is IT's policy; nil means config.LoadPolicy().
	Policy *config.Policy
	// Secrets is the OS keyring; nil means config.Keyring.
	Secrets config.SecretStore
	// DataDir holds the local ticket store; "" means the user's data dir.
	DataDir string
	Logger  *slog.Logger
	// Clock drives the shift machine; nil means the wall clock.
	Clock shift.Clock
	// OpenAudio opens a call's microphone and headset; nil means PortAudio
	// devices by name (see openDevices).
	OpenAudio AudioOpener
	// TicketBackend replaces the HTTP backend at the account's URL.
	TicketBackend tickets.Backend
	// Pins remembers the headset that passed the check; nil means the
	// user's (precheck.DefaultPins). The demo keeps none.
	Pins precheck.PinStore
	// RunChecks replaces precheck.Run (tests).
	RunChecks func(context.Context, precheck.Options) (precheck.Report, error)
	// CheckAudio is the check's audio backend; nil means
	// precheck.DeviceAudio, the devices calls use (tests wrap it).
	CheckAudio precheck.Audio
	// CheckRoomSeconds shortens the quiet-room capture (tests); 0 means the policy's.
	CheckRoomSeconds float64
	// ListDevices replaces devinfo.List for the device list and the guard.
	ListDevices func(context.Context) ([]devinfo.Device, error)
	// WatchDevices replaces devinfo.Watch for the mid-shift guard.
	WatchDevices func(context.Context) (<-chan struct{}, func() error, error)
	// SIPListen pins where the UA listens ("127.0.0.1:0"); "" lets sip choose.
	SIPListen string
	// SIPOptions are passed to every sip.New and sip.WaitNetwork (tests
	// simulate the network with sip.WithLocalAddrFunc).
	SIPOptions []sip.Option
	// NoDeviceGuard leaves the mid-shift headset watch off (the demo runs
	// on whatever devices the machine has).
	NoDeviceGuard bool
	// Direct registers nowhere: the account's server is the peer that
	// numbers are dialled at, and calls come straight to SIPListen (the demo).
	Direct bool
	// OpenHeadset opens the headset's call buttons; nil means headset.Open.
	OpenHeadset HeadsetOpener
	// QualityEvery is the live quality period; 0 means DefaultQualityEvery.
	QualityEvery time.Duration
}

// Core is the running backend. Backend hands its parts to the GUI; Close
// stops every goroutine it started.
type Core struct {
	opts   Options
	log    *slog.Logger
	policy config.Policy
	events *hub

	settings *configStore
	secrets  *secretStore
	machine  *shift.Machine
	shift    *shiftControl
	phone    *phone
	monitor  *monitorService
	tickets  *ticketClient
	checks   *checker
	headset  *headsetControl
	super    *supervision

	updatesMu sync.Mutex
	updates   *updates // nil until StartUpdates

	closeOnce sync.Once
	closeErr  error
}

// New builds the core from the profile, the policy and the keyring. It
// starts nothing that talks to the network until the GUI asks.
func New(opts Options) (*Core, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.Secrets == nil {
		opts.Secrets = config.Keyring{}
	}
	if opts.QualityEvery <= 0 {
		opts.QualityEvery = DefaultQualityEvery
	}
	if opts.ProfilePath == "" {
		p, err := config.DefaultProfilePath()
		if err != nil {
			return nil, err
		}
		opts.ProfilePath = p
	}
	var pol config.Policy
	if opts.Policy != nil {
		pol = *opts.Policy
	} else {
		p, err := config.LoadPolicy()
		if err != nil {
			return nil, fmt.Errorf("the IT policy cannot be used (%w): ask IT to fix it", err)
		}
		pol = p
	}
	if opts.DataDir == "" {
		d, err := defaultDataDir()
		if err != nil {
			return nil, err
		}
		opts.DataDir = d
	}
	c := &Core{opts: opts, log: log, policy: pol, events: newHub()}
	c.settings = newConfigStore(opts.ProfilePath, &c.policy)
	c.secrets = &secretStore{store: opts.Secrets, cfg: c.settings}
	c.settings.secrets = c.secrets
	c.machine = shift.New(opts.Clock, shift.Options{AllowOverride: pol.Checks.AllowOverride, Logger: log})
	c.tickets = newTicketClient(c)
	c.checks = &checker{c: c}
	c.shift = newShiftControl(c)
	c.phone = newPhone(c)
	c.machine.Subscribe(c.phone.pres.onShift)
	c.monitor = newMonitorService(c)
	c.headset = newHeadsetControl(c)
	c.super = newSupervision(c)
	c.events.tap(c.super.observe)
	return c, nil
}

// defaultDataDir is $XDG_DATA_HOME/homeshore or ~/.local/share/homeshore
// on Linux; elsewhere the per-user config dir (AppData, Application Support).
func defaultDataDir() (string, error) {
	if runtime.GOOS == "linux" {
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "homeshore"), nil
		}
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "homeshore"), nil
		}
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no folder for Homeshore's data (%w): set XDG_DATA_HOME or HOME", err)
	}
	return filepath.Join(dir, "homeshore"), nil
}

// Backend is what ui.Main drives.
func (c *Core) Backend() ui.Backend {
	return ui.Backend{
		Phone:   c.phone,
		Shift:   c.shift,
		Tickets: c.tickets,
		Checker: c.checks,
		Devices: c.checks,
		Secrets: c.secrets,
		Config:  c.settings,
		Events:  c.events,
		// Messages with supervisors and help (supervision.go).
		Messages: guiMessages{c},
		Ringer:   ringer{c: c},
		// Attended transfer and conference (consult.go).
		Consult:   c.phone,
		Codecs:    availableCodecs(),
		Normalize: c.Normalize,
	}
}

// region reads numbers written without +country (IT's shift.phone_region).
func (c *Core) region() string {
	if r := c.policy.Shift.PhoneRegion; r != "" {
		return r
	}
	return tickets.DefaultRegion
}

// Normalize writes a phone number in E.164 for the policy's region: the
// one form used to dial, look up tickets and list calls. Anything else
// (an extension, a SIP address) is returned as it is.
func (c *Core) Normalize(number string) string {
	number = strings.TrimSpace(number)
	if strings.ContainsAny(number, "@:") {
		return number
	}
	digits := 0
	for _, r := range number {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits < minPhoneDigits {
		return number // an extension, not a phone number
	}
	if e, ok := tickets.NormalizePhone(number, c.region()); ok {
		return e
	}
	return number
}

// minPhoneDigits: shorter dial strings are extensions and stay as typed.
const minPhoneDigits = 7

// SIPAddr is where the agent's user agent accepts SIP ("" before Register).
func (c *Core) SIPAddr() string { return c.phone.SIPAddr() }

// Machine is the shift state machine (headless callers and tests).
func (c *Core) Machine() *shift.Machine { return c.machine }

// Close hangs up, unregisters, stops the guard and the ticket sync, then
// closes the event channel. It is idempotent.
func (c *Core) Close() error {
	c.closeOnce.Do(func() {
		c.events.release() // hanging up emits events nobody may read any more
		c.updatesMu.Lock()
		if c.updates != nil {
			c.updates.close()
		}
		c.updatesMu.Unlock()
		err := c.phone.close()
		err = errors.Join(err, c.shift.close())
		err = errors.Join(err, c.headset.stop())
		err = errors.Join(err, c.super.close())
		err = errors.Join(err, c.tickets.close())
		c.events.close()
		c.closeErr = err
	})
	return c.closeErr
}
