package ui

import (
	"bufio"
	"github.com/homeshore/homeshore/internal/testenv"
	"image"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func requireOrSkip(t *testing.T, ok bool, what string) {
	testenv.Require(t, ok, what)
}

func haveCommand(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

// TestDemoWindowUnderXvfb starts the real GUI on the demo setup in a real
// X server, checks the window is drawn with the demo banner, and that it
// quits cleanly on SIGTERM.
func TestDemoWindowUnderXvfb(t *testing.T) {
	requireOrSkip(t, haveCommand("xvfb-run") && haveCommand("xwd"), "xvfb-run and xwd (scripts/deps/test-gui.txt, screenshots.txt)")
	bin := filepath.Join(t.TempDir(), "homeshore-demo")
	build := exec.Command("go", "build", "-o", bin, "../demo/cmd/homeshore-demo")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	auth := filepath.Join(t.TempDir(), "Xauthority")
	cmd := exec.Command("xvfb-run", "-a", "-f", auth, "-s", "-screen 0 1280x800x24", bin, "-print-shown", "-lang", "en")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	shown := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "shown" {
				shown <- f
			}
		}
		exited <- cmd.Wait()
	}()
	var disp string
	var guiPID int
	select {
	case f := <-shown:
		disp = f[2]
		if guiPID, err = strconv.Atoi(f[3]); err != nil {
			t.Fatalf("bad shown line %q", f)
		}
	case err := <-exited:
		exited <- err
		t.Fatalf("the GUI exited before showing a window: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no window within 30 s")
	}

	// The first frames follow the started event; grab until the banner is drawn.
	var img image.Image
	for range 50 {
		xwd := exec.Command("xwd", "-silent", "-name", "Homeshore")
		xwd.Env = append(os.Environ(), "DISPLAY="+disp, "XAUTHORITY="+auth)
		out, err := xwd.Output()
		if err == nil {
			if img, err = decodeXWD(out); err == nil && hasColor(img, colorInfo, 10) {
				break
			}
		}
		img = nil
		time.Sleep(100 * time.Millisecond)
	}
	if img == nil {
		t.Fatal("the window never showed the blue demo banner")
	}
	if w := img.Bounds().Dx(); w < 800 {
		t.Fatalf("window width %d px, want the main window", w)
	}

	// SIGTERM to the GUI itself (xvfb-run's child): it must quit cleanly.
	if err := syscall.Kill(guiPID, syscall.SIGTERM); err != nil {
		t.Fatalf("signal the GUI: %v", err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the GUI did not exit cleanly: %v", err)
		}
		exited <- nil
	case <-time.After(20 * time.Second):
		t.Fatal("the GUI did not quit within 20 s of SIGTERM")
	}
}

// hasColor reports whether the top rows hold at least n pixels of c.
func hasColor(img image.Image, c color.NRGBA, n int) bool {
	b := img.Bounds()
	count := 0
	for y := b.Min.Y; y < b.Min.Y+40 && y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if color.NRGBAModel.Convert(img.At(x, y)) == c {
				count++
			}
		}
	}
	return count >= n
}
