package core

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/ui"
)

// newTestCore builds a core on a temp profile; tweak adjusts options.
func newTestCore(t *testing.T, prof config.Profile, pol *config.Policy, tweak func(*Options)) *Core {
	t.Helper()
	t.Setenv(config.EnvSIPPassword, "") // an inherited password must not mask the store's
	dir := t.TempDir()
	path := dir + "/profile.json"
	if err := config.SaveProfile(path, prof); err != nil {
		t.Fatal(err)
	}
	if pol == nil {
		p := config.DefaultPolicy()
		pol = &p
	}
	opts := Options{ProfilePath: path, Policy: pol, Secrets: config.NewMemorySecrets(), DataDir: dir + "/data"}
	if tweak != nil {
		tweak(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Logf("close: %v", err)
		}
	})
	return c
}

// nextEvent waits for the next GUI event.
func nextEvent(t *testing.T, ch <-chan ui.Event, within time.Duration) ui.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("event channel closed")
		}
		return ev
	case <-time.After(within):
		t.Fatalf("no event within %s", within)
	}
	return nil
}

// waitFor skips events until match, returning those skipped and the match.
func waitFor(t *testing.T, ch <-chan ui.Event, within time.Duration, match func(ui.Event) bool) (skipped []ui.Event, got ui.Event) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("event not seen within %s; saw %v", within, skipped)
		}
		ev := nextEvent(t, ch, left)
		if match(ev) {
			return skipped, ev
		}
		skipped = append(skipped, ev)
	}
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func noWatch(context.Context) (<-chan struct{}, func() error, error) {
	ch := make(chan struct{})
	var once sync.Once
	return ch, func() error { once.Do(func() { close(ch) }); return nil }, nil
}
