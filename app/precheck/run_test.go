package precheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/shift"
)

// The whole check on real PulseAudio and a real Kamailio, shortened room capture.
func TestRunWiredHeadsetPassesAndPins(t *testing.T) {
	t.Parallel()
	requirePulse(t)
	sip := startKamailio(t)
	p := newPulsePair(t, "run", headsetProps, headsetProps)
	p.noise(t, -75) // microphone self-noise in a quiet room
	pins := &memPins{}
	var steps []Step
	rep, err := Run(context.Background(), Options{Policy: config.DefaultPolicy(), Output: p.out, Input: p.in,
		SIPServer: sip, RoomSeconds: 2, Pins: pins, Progress: func(s Step) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode() != ExitPass || !rep.Passed() || rep.Output != p.out || rep.Input != p.in {
		b, _ := json.MarshalIndent(rep, "", " ")
		t.Fatalf("report: exit %d\n%s", rep.ExitCode(), b)
	}
	names := map[string]Verdict{}
	for _, c := range rep.Checks {
		names[c.Name] = c.Verdict
	}
	for _, n := range config.AllChecks() {
		if _, ok := names[n]; !ok {
			t.Errorf("check %s missing from report", n)
		}
	}
	if names[config.CheckRoom] != Pass || names[config.CheckLeak] != Pass || names[config.CheckNetwork] != Pass {
		t.Errorf("verdicts %v", names)
	}
	if len(pins.saved) != 1 || pins.saved[0].Output != p.out {
		t.Errorf("pin not saved: %+v", pins.saved)
	}
	done := 0
	for _, s := range steps {
		if s.Done {
			done++
		}
	}
	if done != len(config.AllChecks()) || len(steps) <= done {
		t.Errorf("progress: %d steps, %d done", len(steps), done)
	}
	// The report is what the backend receives with the clock-in: it must
	// round-trip through JSON and gate a shift.
	b, err := json.Marshal(rep)
	if err != nil || !bytes.Contains(b, []byte(`"l90_dbfs_a"`)) || !bytes.Contains(b, []byte(`"rtt_avg_ms"`)) {
		t.Fatalf("JSON: %v %s", err, b)
	}
	m := shift.New(nil, shift.Options{})
	if err := m.ClockIn(rep, nil); err != nil {
		t.Fatalf("clock-in with a passing report: %v", err)
	}
}

func TestRunLaptopSpeakersFails(t *testing.T) {
	t.Parallel()
	requirePulse(t)
	p := newPulsePair(t, "laptop",
		"device.bus=pci device.form_factor=internal device.description='Built-in Audio Speakers'",
		"device.bus=pci device.form_factor=internal device.description='Built-in Audio Microphone'")
	p.leak(t, -6)
	p.noise(t, -75)
	pol := config.DefaultPolicy()
	pol.Checks.Mandatory = []string{config.CheckHeadset, config.CheckLeak, config.CheckRoom}
	rep, err := Run(context.Background(), Options{Policy: pol, Output: p.out, Input: p.in, RoomSeconds: 1, Pins: NoPins{}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Verdict{}
	for _, c := range rep.Checks {
		got[c.Name] = c.Verdict
	}
	if rep.ExitCode() != ExitFail || got[config.CheckHeadset] != Fail || got[config.CheckLeak] != Fail {
		t.Fatalf("laptop speakers: exit %d %v", rep.ExitCode(), got)
	}
	if !strings.Contains(strings.Join(rep.FailedChecks(), ","), "headset") {
		t.Fatalf("failed checks %v", rep.FailedChecks())
	}
	m := shift.New(nil, shift.Options{})
	if err := m.ClockIn(rep, nil); err == nil {
		t.Fatal("clock-in with a failed report succeeded")
	}
}

// An unknown output (no metadata) is settled by the acoustic test; an
// unknown microphone is not: the leak test cannot see it.
func TestRunUnknownDeviceSettledByLeakTest(t *testing.T) {
	t.Parallel()
	requirePulse(t)
	p := newPulsePair(t, "plain", "device.description=Plain", headsetProps)
	p.noise(t, -75) // microphone self-noise in a quiet room
	pol := config.DefaultPolicy()
	pol.Checks.Mandatory = []string{config.CheckHeadset, config.CheckLeak}
	rep, err := Run(context.Background(), Options{Policy: pol, Output: p.out, Input: p.in, RoomSeconds: 1, Pins: NoPins{}})
	if err != nil {
		t.Fatal(err)
	}
	if hs := rep.Checks[0]; hs.Name != config.CheckHeadset || hs.Verdict != Pass || !hasCode(hs, "acoustic_headset") {
		t.Fatalf("unknown output without leak: %+v", hs)
	}
	q := newPulsePair(t, "plain2", "device.description=Plain", "device.description=PlainMic")
	q.noise(t, -75)
	rep, err = Run(context.Background(), Options{Policy: pol, Output: q.out, Input: q.in, RoomSeconds: 1, Pins: NoPins{}})
	if err != nil {
		t.Fatal(err)
	}
	if hs := rep.Checks[0]; hs.Verdict != Warn || !hasCode(hs, "acoustic_headset") || !hasCode(hs, "mic_unverified") {
		t.Fatalf("unknown microphone must stay unproven: %+v", hs)
	}
}

// homeshore check --json end to end through RunCLI (what app/cli calls).
func TestRunCLIJSONAndExitCode(t *testing.T) {
	requirePulse(t)
	sip := startKamailio(t)
	p := newPulsePair(t, "cli", headsetProps, headsetProps)
	p.noise(t, -75)
	pol := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(pol, []byte(fmt.Sprintf(`{"sip":{"server":%q},"checks":{"room":{"capture_seconds":1}}}`, sip)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.PolicyEnv, pol)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // pin file goes here
	var out, errb bytes.Buffer
	code := RunCLI(context.Background(), []string{"--json", "--output", p.out, "--input", p.in}, &out, &errb)
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	if code != ExitPass || rep.Verdict == Fail || rep.Schema != ReportSchema || rep.PolicyFile != pol {
		t.Fatalf("exit %d verdict %s\n%s", code, rep.Verdict, errb.String())
	}
	if !strings.Contains(errb.String(), "room") {
		t.Fatalf("no progress on stderr: %s", errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := DevicesCLI(context.Background(), []string{"--json"}, &out, &errb); code != ExitPass {
		t.Fatalf("devices exit %d: %s", code, errb.String())
	}
	var devs []DeviceVerdict
	if err := json.Unmarshal(out.Bytes(), &devs); err != nil || len(devs) == 0 {
		t.Fatalf("devices JSON: %v %s", err, out.String())
	}
	// A pinned headset that is gone: fail, and never another device.
	out.Reset()
	errb.Reset()
	code = RunCLI(context.Background(), []string{"--json", "--output", "gone_out", "--input", p.in}, &out, &errb)
	if code != ExitFail {
		t.Fatalf("missing output: exit %d", code)
	}
	// A broken policy: exit 2 with the key named.
	if err := os.WriteFile(pol, []byte(`{"checks":{"room":{"max_l9":1}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := RunCLI(context.Background(), nil, &out, &errb); code != ExitCantRun || !strings.Contains(errb.String(), "checks.room.max_l9") {
		t.Fatalf("bad policy: exit %d %s", code, errb.String())
	}
}

// Unplugging (unloading) the headset mid-shift moves the agent to Not ready.
func TestGuardUnplugMovesToNotReady(t *testing.T) {
	requirePulse(t)
	p := newPulsePair(t, "guard", headsetProps, headsetProps)
	m := shift.New(nil, shift.Options{})
	notReady := make(chan shift.StateChanged, 4)
	m.Subscribe(func(e shift.Event) {
		if sc, ok := e.(shift.StateChanged); ok && sc.To == shift.NotReady {
			notReady <- sc
		}
	})
	if err := m.ClockIn(Report{Checks: []CheckResult{{Name: "headset", Verdict: Pass, Mandatory: true}}}, nil); err != nil {
		t.Fatal(err)
	}
	stop, err := Guard(context.Background(), m, GuardOptions{Output: p.out, Input: p.in, Policy: config.DefaultPolicy().Checks.Headset})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	if st, _ := m.State(); st != shift.Available {
		t.Fatalf("guard moved a good headset: %v", st)
	}
	pactl(t, "unload-module", p.outModule)
	select {
	case sc := <-notReady:
		if sc.Reason.Code != shift.ReasonHeadsetMissing || sc.Reason.Message == "" {
			t.Fatalf("reason %+v", sc.Reason)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("agent still available 10 s after the headset was unplugged")
	}
	if err := m.SetAvailable(); err == nil {
		t.Fatal("agent went available without a new check")
	}
}

// Switching the default output to Bluetooth mid-shift also stops the agent.
func TestGuardDefaultSwitchedToBluetooth(t *testing.T) {
	requirePulse(t)
	p := newPulsePair(t, "guard2", headsetProps, headsetProps)
	bt := newPulsePair(t, "bluez",
		"device.bus=bluetooth device.api=bluez device.form_factor=headset device.description=AirPods",
		"device.bus=bluetooth device.api=bluez device.form_factor=headset device.description=AirPods")
	pactl(t, "set-default-sink", p.out)
	t.Cleanup(func() { _ = exec.Command("pactl", "set-default-sink", "homeshore_default").Run() })
	m := shift.New(nil, shift.Options{})
	notReady := make(chan shift.StateChanged, 4)
	m.Subscribe(func(e shift.Event) {
		if sc, ok := e.(shift.StateChanged); ok && sc.To == shift.NotReady {
			notReady <- sc
		}
	})
	if err := m.ClockIn(Report{}, nil); err != nil {
		t.Fatal(err)
	}
	stop, err := Guard(context.Background(), m, GuardOptions{Output: p.out, Input: p.in, Policy: config.DefaultPolicy().Checks.Headset})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	pactl(t, "set-default-sink", bt.out)
	select {
	case sc := <-notReady:
		if sc.Reason.Code != shift.ReasonDeviceChanged || !strings.Contains(sc.Reason.Message, "Bluetooth") {
			t.Fatalf("reason %+v", sc.Reason)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("agent still available after the default output became Bluetooth")
	}
}
