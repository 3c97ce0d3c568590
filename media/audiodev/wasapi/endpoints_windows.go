package wasapi

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Flow is an endpoint's direction (EDataFlow).
type Flow uint32

// Flows.
const (
	Render  Flow = 0
	Capture Flow = 1
)

// DefaultRole is the role whose default endpoint Homeshore uses when no
// device is chosen: eCommunications, the "Default Communication Device" of
// the Sound control panel, which agents set to their headset.
const DefaultRole = 2

// stateActive is DEVICE_STATE_ACTIVE.
const stateActive = 1

// Endpoint is one active endpoint.
type Endpoint struct {
	// ID is the endpoint id (IMMDevice::GetId), e.g.
	// "{0.0.0.00000000}.{8ad6e8f3-...}": what Homeshore stores, pins and
	// opens; its GUID is the endpoint's key under the MMDevices registry tree.
	ID           string
	Flow         Flow
	FriendlyName string
	Default      bool
}

// Endpoints lists the active endpoints of both flows with the defaults for
// DefaultRole marked. Call it inside Thread.
func Endpoints() ([]Endpoint, error) {
	e, err := enumerator()
	if err != nil {
		return nil, err
	}
	defer e.release()
	var out []Endpoint
	for _, flow := range []Flow{Render, Capture} {
		def, _ := defaultID(e, flow)
		var coll *object
		if err := e.call("list audio endpoints", unknownMethods+0, uintptr(flow), stateActive, uintptr(unsafe.Pointer(&coll))); err != nil {
			return nil, err
		}
		var n uint32
		err := coll.call("count audio endpoints", unknownMethods+0, uintptr(unsafe.Pointer(&n)))
		for i := uint32(0); err == nil && i < n; i++ {
			var dev *object
			if err = coll.call("get audio endpoint", unknownMethods+1, uintptr(i), uintptr(unsafe.Pointer(&dev))); err != nil {
				break
			}
			ep := Endpoint{Flow: flow}
			ep.ID, err = deviceID(dev)
			if err == nil {
				ep.FriendlyName = friendlyName(dev)
				ep.Default = ep.ID == def
				out = append(out, ep)
			}
			dev.release()
		}
		coll.release()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DefaultID is the id of the default endpoint of flow for DefaultRole.
func DefaultID(flow Flow) (string, error) {
	e, err := enumerator()
	if err != nil {
		return "", err
	}
	defer e.release()
	return defaultID(e, flow)
}

func defaultID(e *object, flow Flow) (string, error) {
	var dev *object
	if err := e.call("get the default audio endpoint", unknownMethods+1, uintptr(flow), DefaultRole, uintptr(unsafe.Pointer(&dev))); err != nil {
		return "", err
	}
	defer dev.release()
	return deviceID(dev)
}

// device opens the endpoint with this id ("" = the default of flow).
func device(e *object, id string, flow Flow) (*object, error) {
	var dev *object
	if id == "" {
		if err := e.call("get the default audio endpoint", unknownMethods+1, uintptr(flow), DefaultRole, uintptr(unsafe.Pointer(&dev))); err != nil {
			return nil, err
		}
		return dev, nil
	}
	p, err := windows.UTF16PtrFromString(id)
	if err != nil {
		return nil, fmt.Errorf("endpoint id %q: %w", id, err)
	}
	if err := e.call(fmt.Sprintf("open audio endpoint %q", id), unknownMethods+2, uintptr(unsafe.Pointer(p)), uintptr(unsafe.Pointer(&dev))); err != nil {
		return nil, err
	}
	var state uint32
	if err := dev.call("read endpoint state", unknownMethods+3, uintptr(unsafe.Pointer(&state))); err != nil || state != stateActive {
		dev.release()
		return nil, &HRESULTError{Op: fmt.Sprintf("audio endpoint %q is not active (state %d)", id, state), Code: hrNotFound}
	}
	return dev, nil
}

func deviceID(dev *object) (string, error) {
	var p *uint16
	if err := dev.call("read endpoint id", unknownMethods+2, uintptr(unsafe.Pointer(&p))); err != nil {
		return "", err
	}
	defer windows.CoTaskMemFree(unsafe.Pointer(p))
	return windows.UTF16PtrToString(p), nil
}

// propertyKey is PROPERTYKEY.
type propertyKey struct {
	fmtid windows.GUID
	pid   uint32
}

var pkeyDeviceFriendlyName = propertyKey{guid(0xA45C254E, 0xDF1C, 0x4EFD, 0x80, 0x20, 0x67, 0xD1, 0x46, 0xA8, 0x50, 0xE0), 14}

// propVariant is PROPVARIANT (24 bytes on 64-bit Windows).
type propVariant struct {
	vt        uint16
	_         [3]uint16
	val, val2 uintptr
}

const vtLPWSTR = 31

var procPropVariantClear = ole32.NewProc("PropVariantClear")

// friendlyName reads PKEY_Device_FriendlyName ("Headset (Jabra EVOLVE 30)").
func friendlyName(dev *object) string {
	var store *object
	if err := dev.call("open endpoint properties", unknownMethods+1, 0 /* STGM_READ */, uintptr(unsafe.Pointer(&store))); err != nil {
		return ""
	}
	defer store.release()
	var v propVariant
	if err := store.call("read friendly name", unknownMethods+2, uintptr(unsafe.Pointer(&pkeyDeviceFriendlyName)), uintptr(unsafe.Pointer(&v))); err != nil {
		return ""
	}
	defer procPropVariantClear.Call(uintptr(unsafe.Pointer(&v)))
	if v.vt != vtLPWSTR || v.val == 0 {
		return ""
	}
	return windows.UTF16PtrToString(*(**uint16)(unsafe.Pointer(&v.val)))
}

// Muted reads the endpoint's mute switch (IAudioEndpointVolume::GetMute).
func Muted(id string, flow Flow) (bool, error) {
	e, err := enumerator()
	if err != nil {
		return false, err
	}
	defer e.release()
	dev, err := device(e, id, flow)
	if err != nil {
		return false, err
	}
	defer dev.release()
	var vol *object
	if err := dev.call("open endpoint volume", unknownMethods+0, uintptr(unsafe.Pointer(&iidIAudioEndpointVolume)), clsctxAll, 0, uintptr(unsafe.Pointer(&vol))); err != nil {
		return false, err
	}
	defer vol.release()
	var muted int32
	if err := vol.call("read mute", unknownMethods+12, uintptr(unsafe.Pointer(&muted))); err != nil {
		return false, err
	}
	return muted != 0, nil
}
