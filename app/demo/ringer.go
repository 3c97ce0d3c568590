package demo

import (
	"context"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/homeshore/homeshore/assets"
)

// ringer plays the ringtone with paplay on the default sound device (the
// demo's devices are virtual) until stopped. Without paplay it stays
// silent: the notification and the screen still show the call.
type ringer struct {
	dir string
}

// newRinger writes the embedded ringtones to dir for paplay.
func newRinger(dir string) *ringer {
	r := &ringer{}
	if _, err := exec.LookPath("paplay"); err != nil {
		return r
	}
	names, _ := fs.Glob(assets.Sounds, "sounds/*.wav")
	for _, n := range names {
		data, err := fs.ReadFile(assets.Sounds, n)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, filepath.Base(n)), data, 0o600)
		}
		if err != nil {
			slog.Warn("demo ringtone unavailable", "err", err)
			return r
		}
	}
	r.dir = dir
	return r
}

// Ring loops the ringtone until the returned stop is called; stop waits for
// the player to exit.
func (r *ringer) Ring(_, ringtone string) func() {
	if r.dir == "" {
		return func() {}
	}
	if ringtone == "" {
		ringtone = "classic"
	}
	file := filepath.Join(r.dir, filepath.Base(ringtone)+".wav")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if err := exec.CommandContext(ctx, "paplay", file).Run(); err != nil {
				return
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
