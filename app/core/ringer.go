package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/homeshore/homeshore/assets"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/media/audiodev"
)

// defaultRingtone is played when the settings name none.
const defaultRingtone = "classic"

// ringer is ui.Ringer: it loops a ringtone from assets/sounds on the ring
// device through PortAudio until stopped. When the device cannot be opened
// it stays silent and logs why: the window and the notification still
// show the call.
type ringer struct{ c *Core }

// Ring starts ringing; stop ends it and waits for the device to close.
func (r ringer) Ring(device, ringtone string) (stop func()) {
	if ringtone == "" {
		ringtone = defaultRingtone
	}
	if device == "" {
		// The agent chose no ring device: ring in the headset the check
		// passed, which the agent wears, not on whatever is the default.
		if _, out, ok := r.c.shift.devices(); ok {
			device = out
		}
	}
	path, err := r.ringtoneFile(ringtone)
	if err != nil {
		r.c.log.Warn("no ringtone", "ringtone", ringtone, "err", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := play(ctx, device, path); err != nil {
			r.c.log.Warn("ringing failed", "device", device, "err", err)
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

// ringtoneFile copies the embedded ringtone to the data dir once.
func (r ringer) ringtoneFile(name string) (string, error) {
	data, err := fs.ReadFile(assets.Sounds, "sounds/"+filepath.Base(name)+".wav")
	if err != nil {
		return "", fmt.Errorf("ringtone %q is not shipped: %w", name, err)
	}
	dir := filepath.Join(r.c.opts.DataDir, "sounds")
	path := filepath.Join(dir, filepath.Base(name)+".wav")
	if st, err := os.Stat(path); err == nil && st.Size() == int64(len(data)) {
		return path, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, data, 0o600)
}

// play loops the file on the device until ctx ends.
func play(ctx context.Context, device, path string) error {
	out, err := audiodev.OpenPlayback(device)
	if err != nil {
		return err
	}
	defer out.Close()
	frame := make([]int16, media.FrameSamples)
	for ctx.Err() == nil {
		src, err := media.OpenWAVSource(path)
		if err != nil {
			return err
		}
		for ctx.Err() == nil {
			if err = src.Read(frame); err != nil {
				break
			}
			if err = out.Write(frame); err != nil {
				break
			}
		}
		src.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
	}
	return nil
}
