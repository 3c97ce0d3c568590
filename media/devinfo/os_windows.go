//go:build windows

package devinfo

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sys/windows/registry"
)

// Property value names under MMDevices\Audio\{Render,Capture}\{id}\Properties.
const (
	pkeyFormFactor    = "{1da5d803-d492-4edd-8c23-e0c0ffee7f0e},0"
	pkeyFriendlyName  = "{a45c254e-df1c-4efd-8020-67d146a850e0},2"
	pkeyInstancePath  = "{b3f8fa53-0004-438e-9003-51a46e139bfc},2"
	deviceStateActive = 1
)

// List reads active audio endpoints from the MMDevices registry tree (pure
// Go, read-only). Endpoint form factor and the instance path's enumerator
// give the same facts the Linux reader gets from PulseAudio.
func List(ctx context.Context) ([]Device, error) {
	var devs []Device
	for _, flow := range []string{"Render", "Capture"} {
		base := `SOFTWARE\Microsoft\Windows\CurrentVersion\MMDevices\Audio\` + flow
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, base, registry.READ)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", base, err)
		}
		ids, err := k.ReadSubKeyNames(-1)
		k.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", base, err)
		}
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			e, ok := readEndpoint(base+`\`+id, id, flow == "Capture")
			if ok {
				devs = append(devs, FromWindows(e))
			}
		}
	}
	return devs, nil
}

func readEndpoint(path, id string, capture bool) (WindowsEndpoint, bool) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.READ)
	if err != nil {
		return WindowsEndpoint{}, false
	}
	state, _, err := k.GetIntegerValue("DeviceState")
	k.Close()
	if err != nil || state != deviceStateActive {
		return WindowsEndpoint{}, false
	}
	p, err := registry.OpenKey(registry.LOCAL_MACHINE, path+`\Properties`, registry.READ)
	if err != nil {
		return WindowsEndpoint{}, false
	}
	defer p.Close()
	e := WindowsEndpoint{ID: id, Capture: capture, FormFactor: WinUnknownFormFactor}
	if v, _, err := p.GetIntegerValue(pkeyFormFactor); err == nil {
		e.FormFactor = int(v)
	}
	e.FriendlyName, _, _ = p.GetStringValue(pkeyFriendlyName)
	e.InstancePath, _, _ = p.GetStringValue(pkeyInstancePath)
	if e.InstancePath == "" {
		// Fall back to any value naming a known enumerator.
		names, _ := p.ReadValueNames(-1)
		for _, n := range names {
			s, _, err := p.GetStringValue(n)
			u := strings.ToUpper(s)
			if err == nil && (strings.Contains(u, `\VID_`) || strings.Contains(u, "BTH") || strings.Contains(u, "HDAUDIO")) {
				e.InstancePath = s
				break
			}
		}
	}
	return e, true
}
