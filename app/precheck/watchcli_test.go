package precheck

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/shift"
)

// `check --watch --json`: after the passing check the guard runs as in a
// shift; unplugging the headset prints not_ready headset_missing and exits 1.
func TestCheckWatchExitsWhenHeadsetUnplugged(t *testing.T) {
	requirePulse(t)
	sip := startKamailio(t)
	p := newPulsePair(t, "watch", headsetProps, headsetProps)
	p.noise(t, -75)
	pol := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(pol, []byte(fmt.Sprintf(`{"sip":{"server":%q},"checks":{"room":{"capture_seconds":1}}}`, sip)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.PolicyEnv, pol)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- RunCLI(ctx, []string{"--json", "--watch", "--output", p.out, "--input", p.in}, pw, io.Discard)
		pw.Close()
	}()
	dec := json.NewDecoder(bufio.NewReader(pr))
	var rep Report
	if err := dec.Decode(&rep); err != nil || !rep.Passed() {
		t.Fatalf("report: %v %+v", err, rep)
	}
	var ev WatchEvent
	if err := dec.Decode(&ev); err != nil || ev.Event != "watching" || ev.State != shift.Available || ev.Output != p.out {
		t.Fatalf("first event %+v %v", ev, err)
	}
	pactl(t, "unload-module", p.outModule)
	if err := dec.Decode(&ev); err != nil || ev.Event != "not_ready" || ev.Code != string(shift.ReasonHeadsetMissing) || ev.Reason == "" {
		t.Fatalf("after unplug %+v %v", ev, err)
	}
	if c := <-code; c != ExitFail {
		t.Fatalf("exit %d, want %d", c, ExitFail)
	}
}
