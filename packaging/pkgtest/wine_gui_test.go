//go:build packaging

package pkgtest

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// screenshotsEnv names a directory to keep the Wine window's screenshot in
// (scripts/screenshots.sh sets docs/screenshots/windows); a person looks
// at it before it is committed.
const screenshotsEnv = "HOMESHORE_WINDOWS_SCREENSHOTS"

// The GUI homeshore.exe under Wine on a virtual X display, with an agent's
// profile naming the recorded USB headset's endpoints: it opens its window
// on the check screen and runs the same pre-shift check as the CLI (Fyne
// draws through Wine's OpenGL on Mesa).
func TestWineGUIOpensOnTheCheck(t *testing.T) {
	exe := artifact(t, "windows/homeshore.exe")
	cli := artifact(t, "windows/homeshore-cli.exe")
	requireTool(t, "xwd", "sox", "paplay", "pacat")
	// The display comes first: wineboot starts the prefix's desktop
	// (explorer.exe), which loads its graphics driver once, from DISPLAY. A
	// desktop started without one stays on the null driver ("no driver
	// could be loaded") for as long as it lives, and on a quick machine it
	// still lives when the app opens its window.
	display := testenv.StartXvfb(t)
	t.Setenv("DISPLAY", display)
	w := testenv.WinePrefix(t)
	k := testenv.StartKamailio(t, map[string]string{"agent": "agent-pw"})
	eps := recordedEndpoints(t)
	h := newWineHeadset(t, eps[0], eps[1])
	h.noise(t, -75)
	out, in := h.endpoints(t, w, cli, eps[0], eps[1])
	profile := fmt.Sprintf(`{"sip":{"server":"%s:%d","user":"agent","transport":"tcp"},"backend":{"url":"http://127.0.0.1:9/","agent":"agent"},"audio":{"output":%q,"input":%q}}`,
		k.Host, k.Port, out, in)
	users, _ := filepath.Glob(w.Path("users/*/AppData/Roaming"))
	require(t, len(users) > 0, "the Wine prefix's user profile (AppData\\Roaming)")
	for _, u := range users {
		if err := os.MkdirAll(filepath.Join(u, "homeshore"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(u, "homeshore", "profile.json"), []byte(profile), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := w.Command(ctx, exe)
	cmd.Env = w.Env("DISPLAY="+display, "HOMESHORE_SIP_PASSWORD=agent-pw")
	logf, err := os.Create(filepath.Join(t.TempDir(), "gui.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	// The window appears once Wine, GLFW and Fyne have started (seconds on
	// a cold prefix); each attempt waits for xwd itself.
	var img image.Image
	deadline := time.Now().Add(90 * time.Second)
	for delay := 250 * time.Millisecond; ; delay = min(2*delay, 4*time.Second) {
		img, err = testenv.CaptureWindow(ctx, display, "Homeshore")
		if err == nil && !uniform(img) {
			break
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			t.Fatalf("no drawn Homeshore window within 90 s (last: %v)\nlog:\n%s", err, b)
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
		}
	}
	// Let the check run to its first question to the agent before the
	// picture a person looks at.
	time.Sleep(8 * time.Second)
	if again, err := testenv.CaptureWindow(ctx, display, "Homeshore"); err == nil {
		img = again
	}
	b := img.Bounds()
	if b.Dx() < 600 || b.Dy() < 400 {
		t.Fatalf("window %dx%d, want at least 600x400", b.Dx(), b.Dy())
	}
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	f, err := os.Create(filepath.Join(dir, "check.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s (%dx%d)", f.Name(), b.Dx(), b.Dy())
}

// uniform reports an image of one colour (a window not drawn yet).
func uniform(img image.Image) bool {
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}
