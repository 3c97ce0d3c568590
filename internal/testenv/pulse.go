package testenv

import (
	"context"
	"fmt"
	"maps"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pactlTimeout bounds one pactl call.
const pactlTimeout = 10 * time.Second

// NullDevice is a PulseAudio null sink plus a microphone remapped from its
// monitor, standing in for a real headset (or speakers, or a Bluetooth
// device) through the properties given to PulseDevice.
type NullDevice struct {
	Sink      string // sink name: play here
	Source    string // remapped monitor of Sink: the microphone
	ModuleIDs []int  // null-sink and remap-source modules, unloaded at cleanup
}

// PulseDevice loads module-null-sink and module-remap-source of its monitor
// and unloads both when the test ends. The sink is named name plus a unique
// suffix (parallel tests), the source that plus "_mic". Properties are
// PulseAudio proplist keys such as "device.bus" = "usb" and
// "device.form_factor" = "headset"; device.description defaults to name.
// Values may contain spaces but no quotes.
func PulseDevice(t testing.TB, name string, sinkProps, sourceProps map[string]string) NullDevice {
	t.Helper()
	RequirePulse(t)
	sink := name + "_" + randomToken()[:6]
	d := NullDevice{Sink: sink, Source: sink + "_mic"}
	t.Cleanup(func() { unloadModules(t, d.ModuleIDs) })
	sinkID := loadModule(t, "module-null-sink", "sink_name="+sink, "rate=48000",
		"sink_properties="+proplistArg(t, withDescription(sinkProps, name)))
	d.ModuleIDs = append(d.ModuleIDs, sinkID)
	srcID := loadModule(t, "module-remap-source", "master="+sink+".monitor", "source_name="+d.Source,
		"source_properties="+proplistArg(t, withDescription(sourceProps, name+" microphone")))
	d.ModuleIDs = append(d.ModuleIDs, srcID)
	return d
}

func withDescription(props map[string]string, desc string) map[string]string {
	out := map[string]string{"device.description": desc}
	for k, v := range props {
		out[k] = v
	}
	return out
}

// proplistArg quotes a proplist for a module argument: the module argument
// parser strips the outer double quotes, the proplist parser the inner
// single quotes, so values may hold spaces.
func proplistArg(t testing.TB, props map[string]string) string {
	t.Helper()
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(props)) {
		v := props[k]
		if strings.ContainsAny(k+v, `'"\`) || strings.ContainsAny(k, " =") {
			t.Fatalf("testenv: PulseAudio property %q=%q: quotes, backslashes and (in keys) spaces or '=' are not supported", k, v)
		}
		parts = append(parts, k+"='"+v+"'")
	}
	return `"` + strings.Join(parts, " ") + `"`
}

func loadModule(t testing.TB, module string, args ...string) int {
	t.Helper()
	out, err := pactl(append([]string{"load-module", module}, args...)...)
	if err != nil {
		t.Fatalf("testenv: pactl load-module %s %s: %v", module, strings.Join(args, " "), err)
	}
	id, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("testenv: pactl load-module %s printed %q, not a module id", module, out)
	}
	return id
}

func pactl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), pactlTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "pactl", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}
