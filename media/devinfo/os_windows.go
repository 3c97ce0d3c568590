//go:build windows

package devinfo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/homeshore/homeshore/media/audiodev/wasapi"
	"golang.org/x/sys/windows/registry"
)

// Property value names under MMDevices\Audio\{Render,Capture}\{id}\Properties.
const (
	pkeyFormFactor    = "{1da5d803-d492-4edd-8c23-e0c0ffee7f0e},0"
	pkeyDeviceDesc    = "{a45c254e-df1c-4efd-8020-67d146a850e0},2"  // "Headset Earphone"
	pkeyFriendlyName  = "{a45c254e-df1c-4efd-8020-67d146a850e0},14" // "Headset Earphone (Jabra EVOLVE 30)"
	pkeyInterfaceName = "{026e516e-b814-414b-83cd-856d6fef4822},2"  // "Jabra EVOLVE 30"
	pkeyInstancePath  = "{b3f8fa53-0004-438e-9003-51a46e139bfc},2"
	deviceStateActive = 1
)

// Endpoint ids are "{0.0.0.00000000}.{GUID}" (render) and
// "{0.0.1.00000000}.{GUID}" (capture), GUID being the endpoint's key in the
// MMDevices registry tree: the id IMMDevice::GetId returns, which WASAPI
// opens (media/audiodev) and Settings and the pin store.
var endpointIDPrefix = map[string]string{"Render": "{0.0.0.00000000}.", "Capture": "{0.0.1.00000000}."}

// List reads active audio endpoints from the MMDevices registry tree (pure
// Go, read-only): endpoint form factor and the instance path's enumerator
// give the same facts the Linux reader gets from PulseAudio. Then the
// audio stack (WASAPI) says which are the defaults (for
// wasapi.DefaultRole) and which are muted. The registry is read first:
// Wine's mmdevapi rewrites every form factor to Speakers when it loads.
func List(ctx context.Context) ([]Device, error) {
	devs, err := listRegistry(ctx)
	if errors.Is(err, registry.ErrNotExist) {
		// No tree yet (a fresh Wine prefix: mmdevapi writes it on first
		// use): have the audio stack enumerate once, then read it.
		if done, terr := wasapi.Thread(); terr == nil {
			_, _ = wasapi.Endpoints()
			done()
		}
		devs, err = listRegistry(ctx)
	}
	if err != nil {
		return nil, err
	}
	markDefaultsAndMute(devs)
	return devs, nil
}

// markDefaultsAndMute asks WASAPI; without it (no audio service) the list
// still stands, only without defaults.
func markDefaultsAndMute(devs []Device) {
	done, err := wasapi.Thread()
	if err != nil {
		return
	}
	defer done()
	def := map[Direction]string{}
	def[Output], _ = wasapi.DefaultID(wasapi.Render)
	def[Input], _ = wasapi.DefaultID(wasapi.Capture)
	for i := range devs {
		d := &devs[i]
		d.Default = d.ID != "" && strings.EqualFold(d.ID, def[d.Direction])
		flow := wasapi.Render
		if d.Direction == Input {
			flow = wasapi.Capture
		}
		if m, err := wasapi.Muted(d.ID, flow); err == nil {
			d.Muted = m
		}
	}
}

func listRegistry(ctx context.Context) ([]Device, error) {
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
			e, ok := readEndpoint(base+`\`+id, endpointIDPrefix[flow]+id, flow == "Capture")
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
	if e.FriendlyName == "" {
		// Windows stores the parts; the audio stack joins them.
		desc, _, _ := p.GetStringValue(pkeyDeviceDesc)
		iface, _, _ := p.GetStringValue(pkeyInterfaceName)
		e.FriendlyName = strings.TrimSpace(desc)
		if iface != "" {
			e.FriendlyName = strings.TrimSpace(desc + " (" + iface + ")")
		}
	}
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
