package update

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// DefaultInterval is how often a running app looks for an update after the
// check at start.
const DefaultInterval = 24 * time.Hour

// Offer is a verified update whose installer is downloaded and checked.
type Offer struct {
	Version string `json:"version"`
	Notes   string `json:"notes,omitempty"`
	Path    string `json:"path"` // the installer, under Service.Dir
}

// Installer runs a verified installer without asking (msiexec /qn on
// Windows). Install returns once the installer has finished.
type Installer interface {
	Install(ctx context.Context, path string) error
}

// Service looks for updates at start and every Interval: it verifies the
// manifest, downloads the installer into Dir and checks its hash, then hands
// the Offer to Notify (once per version). What to do with it (tell the
// agent, wait for the call to end, install) is the caller's.
type Service struct {
	Checker  *Checker
	Dir      string
	Interval time.Duration // 0: DefaultInterval
	// After replaces time.After (tests drive the daily check).
	After  func(time.Duration) <-chan time.Time
	Notify func(Offer)
	Log    *slog.Logger

	mu      sync.Mutex
	offered string
}

// CheckNow checks and, when a newer version is there, downloads it. ok is
// false when the running version is current.
func (s *Service) CheckNow(ctx context.Context) (o Offer, ok bool, err error) {
	res, err := s.Checker.Check(ctx)
	if err != nil || !res.Available {
		return Offer{}, false, err
	}
	path, err := s.Checker.Download(ctx, res.Manifest, s.Dir)
	if err != nil {
		return Offer{}, false, err
	}
	return Offer{Version: res.Manifest.Version, Notes: res.Manifest.Notes, Path: path}, true, nil
}

// Start runs the checks on a goroutine until ctx ends or stop is called;
// stop waits for it. Failures are logged and retried at the next check.
func (s *Service) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	after := s.After
	if after == nil {
		after = time.After
	}
	every := s.Interval
	if every <= 0 {
		every = DefaultInterval
	}
	log := s.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			o, ok, err := s.CheckNow(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				log.Warn("update check failed", "err", err, "refused", refused(err))
			case ok && s.first(o.Version):
				log.Info("update ready", "version", o.Version, "installer", o.Path)
				if s.Notify != nil {
					s.Notify(o)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-after(every):
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// first reports whether version is offered for the first time.
func (s *Service) first(version string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.offered == version {
		return false
	}
	s.offered = version
	return true
}

// Refused says whether err means the update was refused as untrustworthy
// (signature, manifest, hash), not merely unreachable.
func Refused(err error) bool { return refused(err) }

func refused(err error) bool {
	for _, e := range []error{ErrBadSignature, ErrBadManifest, ErrExpired, ErrHashMismatch, ErrTooLarge, ErrBadPublicKey} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
