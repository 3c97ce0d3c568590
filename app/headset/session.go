package headset

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
)

// Device is an open headset's HID interface: one input report per Read,
// one output report per Write (hidraw's semantics, and the Windows HID
// API's). Close ends a blocked Read.
type Device interface {
	Read(p []byte) (int, error)
	Write(p []byte) (int, error)
	Close() error
}

// Info names a headset with call buttons.
type Info struct {
	Path                string
	Name                string
	VendorID, ProductID uint16
}

// USBID is "vvvv:pppp", as IT's policy names models.
func (i Info) USBID() string { return fmt.Sprintf("%04x:%04x", i.VendorID, i.ProductID) }

// Session follows one headset: each press goes to the callback (from the
// session's reader goroutine); SetState lights its LEDs. Close stops it.
type Session struct {
	Info Info
	dev  Device
	log  *slog.Logger

	mu   sync.Mutex
	h    *Handler
	once sync.Once
	done chan struct{}
	err  error // why the reader ended; set before done closes
}

// maxReport bounds one report (HID full-speed reports are at most 64 bytes;
// high-speed ones 1024).
const maxReport = 1024

// Start reads dev's reports until it is closed or unplugged.
func Start(dev Device, layout Layout, info Info, press func(Button), log *slog.Logger) *Session {
	if log == nil {
		log = slog.Default()
	}
	s := &Session{Info: info, dev: dev, log: log, h: NewHandler(layout), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, maxReport)
		for {
			n, err := dev.Read(buf)
			if err != nil {
				s.err = err
				return
			}
			s.mu.Lock()
			presses := s.h.Report(buf[:n])
			s.mu.Unlock()
			for _, b := range presses {
				log.Info("headset button", "headset", info.Name, "button", b)
				press(b)
			}
		}
	}()
	return s
}

// SetState lights the LEDs for the app's call state.
func (s *Session) SetState(st CallState) error {
	s.mu.Lock()
	reports := s.h.SetState(st)
	s.mu.Unlock()
	var errs []error
	for _, r := range reports {
		if _, err := s.dev.Write(r); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Done is closed when the reader ends: the headset was unplugged (Err
// says how) or the session closed.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is why the reader ended, once Done is closed.
func (s *Session) Err() error {
	<-s.done
	return s.err
}

// Close turns the LEDs off, closes the device and waits for the reader.
func (s *Session) Close() error {
	var err error
	s.once.Do(func() {
		_ = s.SetState(CallState{})
		err = s.dev.Close()
		<-s.done
		if s.err != nil && !errors.Is(s.err, os.ErrClosed) {
			s.log.Debug("headset reader ended", "err", s.err)
		}
	})
	return err
}
