package wasapi

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// object is a COM interface pointer: its first word points at the vtable.
type object struct{ vtbl *[32]uintptr }

// call invokes vtable method i of o with args; HRESULT failures come back
// as an error naming what.
func (o *object) call(what string, i int, args ...uintptr) error {
	all := append([]uintptr{uintptr(unsafe.Pointer(o))}, args...)
	r, _, _ := syscall.SyscallN(o.vtbl[i], all...)
	if int32(r) < 0 {
		return &HRESULTError{Op: what, Code: uint32(r)}
	}
	return nil
}

// release drops one reference (IUnknown::Release); nil-safe.
func (o *object) release() {
	if o != nil {
		syscall.SyscallN(o.vtbl[2], uintptr(unsafe.Pointer(o)))
	}
}

// IUnknown has 3 methods; interface methods are numbered after them.
const unknownMethods = 3

// HRESULTError is a failed COM call.
type HRESULTError struct {
	Op   string
	Code uint32
}

func (e *HRESULTError) Error() string {
	if name, ok := hresultNames[e.Code]; ok {
		return fmt.Sprintf("%s: %s (0x%08X)", e.Op, name, e.Code)
	}
	return fmt.Sprintf("%s: HRESULT 0x%08X", e.Op, e.Code)
}

// Is lets errors.Is match the package's sentinels by code.
func (e *HRESULTError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == hrNotFound || e.Code == hrElementNotFound
	case ErrDeviceGone:
		return e.Code == hrDeviceInvalidated || e.Code == hrNotFound || e.Code == hrElementNotFound
	case ErrInUse:
		return e.Code == hrDeviceInUse
	case ErrWrongEndpointType:
		return e.Code == hrWrongEndpointType
	}
	return false
}

var (
	// ErrNotFound means no endpoint has the id asked for.
	ErrNotFound = errors.New("no such audio endpoint")
	// ErrDeviceGone means the endpoint was removed or disabled while in use.
	ErrDeviceGone = errors.New("the audio endpoint was removed or disabled")
	// ErrWrongEndpointType means the endpoint cannot do what was asked;
	// for a loopback capture: the audio stack has no loopback (Wine 8).
	ErrWrongEndpointType = errors.New("the audio endpoint does not support this stream type")
	// ErrInUse means another program holds the endpoint in exclusive mode.
	ErrInUse = errors.New("the audio endpoint is in use by another program in exclusive mode")
)

const (
	hrNotFound          = 0x80070490 // HRESULT_FROM_WIN32(ERROR_NOT_FOUND)
	hrElementNotFound   = 0x80070002
	hrDeviceInvalidated = 0x88890004 // AUDCLNT_E_DEVICE_INVALIDATED
	hrDeviceInUse       = 0x8889000A // AUDCLNT_E_DEVICE_IN_USE
	hrWrongEndpointType = 0x88890003 // AUDCLNT_E_WRONG_ENDPOINT_TYPE
	hrUnsupportedFormat = 0x88890008 // AUDCLNT_E_UNSUPPORTED_FORMAT
	hrInvalidArg        = 0x80070057 // E_INVALIDARG
	hrChangedMode       = 0x80010106 // RPC_E_CHANGED_MODE: COM already set up on this thread
)

var hresultNames = map[uint32]string{
	hrNotFound:          "not found",
	hrElementNotFound:   "not found",
	hrDeviceInvalidated: "device invalidated (unplugged or disabled)",
	hrDeviceInUse:       "device in use (exclusive mode)",
	hrWrongEndpointType: "wrong endpoint type",
	hrUnsupportedFormat: "unsupported format",
	hrInvalidArg:        "invalid argument",
	0x88890001:          "not initialized",
	0x8889000E:          "endpoint creation failed",
	0x88890010:          "service not running",
}

var (
	ole32                = windows.NewLazySystemDLL("ole32.dll")
	procCoCreateInstance = ole32.NewProc("CoCreateInstance")
)

func guid(d1 uint32, d2, d3 uint16, d4 ...byte) windows.GUID {
	g := windows.GUID{Data1: d1, Data2: d2, Data3: d3}
	copy(g.Data4[:], d4)
	return g
}

var (
	clsidMMDeviceEnumerator = guid(0xBCDE0395, 0xE52F, 0x467C, 0x8E, 0x3D, 0xC4, 0x57, 0x92, 0x91, 0x69, 0x2E)
	iidIMMDeviceEnumerator  = guid(0xA95664D2, 0x9614, 0x4F35, 0xA7, 0x46, 0xDE, 0x8D, 0xB6, 0x36, 0x17, 0xE6)
	iidIAudioClient         = guid(0x1CB9AD4C, 0xDBFA, 0x4C32, 0xB1, 0x78, 0xC2, 0xF5, 0x68, 0xA7, 0x03, 0xB2)
	iidIAudioRenderClient   = guid(0xF294ACFC, 0x3146, 0x4483, 0xA7, 0xBF, 0xAD, 0xDC, 0xA7, 0xC2, 0x60, 0xE2)
	iidIAudioCaptureClient  = guid(0xC8ADBD64, 0xE71E, 0x48A0, 0xA4, 0xDE, 0x18, 0x5C, 0x39, 0x5C, 0xD3, 0x17)
	iidIAudioEndpointVolume = guid(0x5CDF2C82, 0x841E, 0x4546, 0x97, 0x22, 0x0C, 0xF7, 0x40, 0x78, 0x22, 0x9A)
)

const clsctxAll = 0x17

// Thread pins the calling goroutine to its OS thread and joins the
// multithreaded COM apartment; done undoes both. Everything in this package
// runs between the two.
func Thread() (done func(), err error) {
	runtime.LockOSThread()
	if err := windows.CoInitializeEx(0, windows.COINIT_MULTITHREADED); err != nil {
		var errno syscall.Errno
		// S_FALSE (already initialised) comes back as a non-nil Errno 1.
		if !errors.As(err, &errno) || (errno != 1 && uint32(errno) != hrChangedMode) {
			runtime.UnlockOSThread()
			return nil, fmt.Errorf("start COM: %w", err)
		}
		if uint32(errno) == hrChangedMode {
			return runtime.UnlockOSThread, nil
		}
	}
	return func() {
		windows.CoUninitialize()
		runtime.UnlockOSThread()
	}, nil
}

// enumerator creates an IMMDeviceEnumerator.
func enumerator() (*object, error) {
	var e *object
	r, _, _ := procCoCreateInstance.Call(uintptr(unsafe.Pointer(&clsidMMDeviceEnumerator)), 0, clsctxAll,
		uintptr(unsafe.Pointer(&iidIMMDeviceEnumerator)), uintptr(unsafe.Pointer(&e)))
	if int32(r) < 0 {
		return nil, &HRESULTError{Op: "create the audio device enumerator", Code: uint32(r)}
	}
	return e, nil
}
