package testenv

import (
	"context"
	"testing"
	"time"
)

func waitEvent(t *testing.T, b *Baresip, typ string) Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := b.WaitEvent(ctx, typ)
	if err != nil {
		t.Fatalf("baresip %s: %v", b.AOR, err)
	}
	return e
}

func command(t *testing.T, b *Baresip, cmd string) {
	t.Helper()
	if err := b.Command(cmd); err != nil {
		t.Fatal(err)
	}
}

func TestBaresipDirectCall(t *testing.T) {
	t.Parallel()
	callee := StartBaresip(t, BaresipOptions{AutoAnswer: true, RecordDir: t.TempDir()})
	// aufile hangs up when its file ends: the call lasts PlayDuration.
	caller := StartBaresip(t, BaresipOptions{PlayWAV: Espeak(t, "one two three four five"), PlayDuration: 3 * time.Second})
	command(t, caller, "/dial "+callee.URI())
	waitEvent(t, callee, EventCallEstablished)
	waitEvent(t, caller, EventCallEstablished)
	waitEvent(t, caller, EventCallClosed)
	waitEvent(t, callee, EventCallClosed)
	t.Logf("events: %+v", callee.Events())
	t.Logf("recording %s", callee.RecordedWAV())
	t.Log(caller.Log())
}
