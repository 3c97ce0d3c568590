package core

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/homeshore/homeshore/app/shift"
	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/app/update"
	"github.com/homeshore/homeshore/app/version"
)

// updates runs IT's update checks for a GUI session (update.Service: at
// start and daily). A verified offer waits while a call is on; then the
// agent is told (ui.UpdateAvailable) and, on Windows, the installer runs
// silently when the agent accepts or the policy's update.auto_install says
// so, never during a call.
type updates struct {
	c         *Core
	installer update.Installer
	canAsk    bool // the agent may start the install (Windows)

	mu      sync.Mutex
	inCall  bool
	pending *update.Offer
	stop    func()
	unsub   func()
	wg      sync.WaitGroup
	ctx     context.Context
	cancel  context.CancelFunc
}

// StartUpdates starts the checks when the policy configures them; without
// update.manifest_url and update.public_key it does nothing. Close stops
// them. Installer nil means the OS's (msiexec on Windows; none elsewhere).
func (c *Core) StartUpdates(ctx context.Context, checker *update.Checker, installer update.Installer) error {
	if checker == nil {
		var err error
		checker, err = update.NewChecker(c.policy.Update.ManifestURL, c.policy.Update.PublicKey, version.Version, nil, nil, c.log)
		if errors.Is(err, update.ErrNotConfigured) {
			return nil
		}
		if err != nil {
			return err
		}
	}
	// The agent can install from the app on Windows, or with the installer given.
	canAsk := installer != nil || runtime.GOOS == "windows"
	if installer == nil {
		installer = update.DefaultInstaller()
	}
	dir := filepath.Join(c.opts.DataDir, "updates")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("update downloads: %w", err)
	}
	u := &updates{c: c, installer: installer, canAsk: canAsk}
	u.ctx, u.cancel = context.WithCancel(ctx)
	u.unsub = c.machine.Subscribe(u.onShift)
	s := &update.Service{Checker: checker, Dir: dir, Notify: u.offer, Log: c.log}
	u.stop = s.Start(u.ctx)
	c.updatesMu.Lock()
	c.updates = u
	c.updatesMu.Unlock()
	return nil
}

// onShift follows calls: an offer that arrived during one is delivered
// when it ends.
func (u *updates) onShift(e shift.Event) {
	sc, ok := e.(shift.StateChanged)
	if !ok {
		return
	}
	u.mu.Lock()
	u.inCall = sc.To == shift.OnCall
	var o *update.Offer
	if !u.inCall && u.pending != nil {
		o, u.pending = u.pending, nil
	}
	u.mu.Unlock()
	if o != nil {
		u.deliver(*o)
	}
}

func (u *updates) offer(o update.Offer) {
	u.mu.Lock()
	if u.inCall {
		u.pending = &o
		u.mu.Unlock()
		return
	}
	u.mu.Unlock()
	u.deliver(o)
}

func (u *updates) deliver(o update.Offer) {
	install := func(ctx context.Context) error {
		u.mu.Lock()
		inCall := u.inCall
		u.mu.Unlock()
		if inCall {
			return errors.New("a call is in progress: install the update after it")
		}
		return u.installer.Install(ctx, o.Path)
	}
	if u.c.policy.Update.AutoInstall && u.canAsk {
		u.wg.Go(func() {
			if err := install(u.ctx); err != nil {
				u.c.log.Warn("update install failed", "version", o.Version, "err", err)
			}
		})
		u.c.events.emit(ui.UpdateAvailable{Version: o.Version, Notes: o.Notes})
		return
	}
	ev := ui.UpdateAvailable{Version: o.Version, Notes: o.Notes}
	if u.canAsk {
		ev.Install = install
	}
	u.c.events.emit(ev)
}

func (u *updates) close() {
	u.cancel()
	u.stop()
	u.unsub()
	u.wg.Wait()
}
