package core

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/internal/testenv"
)

// TestRingerPlaysUntilStopped rings on the default device (a PulseAudio
// null sink under scripts/with-test-env.sh) and stops; a ring device that
// does not exist stays silent instead of ringing elsewhere.
func TestRingerPlaysUntilStopped(t *testing.T) {
	testenv.RequirePulse(t)
	c := newTestCore(t, config.Profile{}, nil, nil)
	be := c.Backend()
	stop := be.Ringer.Ring("", "soft")
	stop()
	stop() // idempotent
	if _, err := os.Stat(filepath.Join(c.opts.DataDir, "sounds", "soft.wav")); err != nil {
		t.Fatalf("ringtone not prepared: %v", err)
	}
	be.Ringer.Ring("no such device", "classic")()
	be.Ringer.Ring("", "no-such-ringtone")()
}
