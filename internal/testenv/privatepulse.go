package testenv

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// privatePulseStart bounds the private server's start.
const privatePulseStart = 15 * time.Second

// PrivatePulse starts a PulseAudio server of the test's own, with no
// devices, and points this process and the commands it starts (pactl,
// paplay, baresip) at it until the test ends. For tests that change the
// server's default devices: on the server scripts/with-test-env.sh shares
// between packages that would disturb other tests running meanwhile.
// It sets environment variables, so the test must not be parallel.
func PrivatePulse(t testing.TB) {
	t.Helper()
	bin := RequireBinary(t, "pulseaudio")
	RequirePulse(t)
	dir, err := os.MkdirTemp("", "hs-pulse-") // a short path: the socket's is limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	socket := filepath.Join(dir, "native")
	cmd := exec.Command(bin, "--daemonize=no", "--exit-idle-time=-1", "-n", "--use-pid-file=no",
		"--load=module-native-protocol-unix socket="+socket, "--log-target=file:"+filepath.Join(dir, "pulse.log"))
	// No session bus: it would claim org.PulseAudio1, which another
	// server on the test's bus (scripts/with-sound.sh's) may hold.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "PULSE_RUNTIME_PATH="+dir)
	proc := startProcess(t, "pulseaudio", filepath.Join(dir, "pulse.out"), cmd)
	t.Setenv("PULSE_SERVER", "unix:"+socket)
	t.Setenv("PULSE_RUNTIME_PATH", dir)
	ctx, cancel := context.WithTimeout(context.Background(), privatePulseStart)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for exec.CommandContext(ctx, "pactl", "info").Run() != nil {
		select {
		case <-ctx.Done():
			t.Fatalf("testenv: the private PulseAudio did not start:\n%s", tailFile(filepath.Join(dir, "pulse.log"), 4096))
		case <-tick.C:
		}
		if proc.exited() {
			t.Fatalf("testenv: the private PulseAudio exited:\n%s", tailFile(filepath.Join(dir, "pulse.log"), 4096))
		}
	}
}
