package precheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Pin is the headset that last passed, remembered by stable device ids, so a
// missing headset is reported instead of silently replaced by another device.
type Pin struct {
	Output      string    `json:"output"`
	Input       string    `json:"input"`
	Description string    `json:"description"`
	USBID       string    `json:"usb_id,omitempty"`
	At          time.Time `json:"at"`
}

// PinStore keeps the pin between runs.
type PinStore interface {
	Load() (Pin, bool, error)
	Save(Pin) error
}

// FilePins stores the pin as JSON in one file.
type FilePins struct{ Path string }

// DefaultPins is FilePins in the user's config dir (homeshore/pinned-headset.json).
func DefaultPins() (FilePins, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return FilePins{}, fmt.Errorf("find the config directory: %w", err)
	}
	return FilePins{Path: filepath.Join(dir, "homeshore", "pinned-headset.json")}, nil
}

// Load returns ok=false when nothing is pinned yet.
func (f FilePins) Load() (Pin, bool, error) {
	b, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return Pin{}, false, nil
	}
	if err != nil {
		return Pin{}, false, fmt.Errorf("read pinned headset: %w", err)
	}
	var p Pin
	if err := json.Unmarshal(b, &p); err != nil {
		// A damaged pin file must not block the agent: treat as unpinned.
		return Pin{}, false, nil
	}
	return p, p.Output != "" || p.Input != "", nil
}

// Save writes atomically (temp file + rename).
func (f FilePins) Save(p Pin) error {
	if err := os.MkdirAll(filepath.Dir(f.Path), 0o700); err != nil {
		return fmt.Errorf("save pinned headset: %w", err)
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	tmp := f.Path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("save pinned headset: %w", err)
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		return fmt.Errorf("save pinned headset: %w", err)
	}
	return nil
}

// NoPins never remembers anything (tests, one-off diagnostics).
type NoPins struct{}

// Load reports nothing pinned.
func (NoPins) Load() (Pin, bool, error) { return Pin{}, false, nil }

// Save discards the pin.
func (NoPins) Save(Pin) error { return nil }
