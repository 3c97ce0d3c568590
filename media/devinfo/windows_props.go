package devinfo

import (
	"regexp"
	"strconv"
	"strings"
)

// Windows endpoint form factors (EndpointFormFactor in mmdeviceapi.h).
const (
	WinRemoteNetworkDevice = 0
	WinSpeakers            = 1
	WinLineLevel           = 2
	WinHeadphones          = 3
	WinMicrophone          = 4
	WinHeadset             = 5
	WinHandset             = 6
	WinUnknownDigital      = 7
	WinSPDIF               = 8
	WinDigitalAudioDisplay = 9 // HDMI / DisplayPort
	WinUnknownFormFactor   = 10
)

// WindowsEndpoint is the recorded property set of one MMDevice endpoint:
// PKEY_AudioEndpoint_FormFactor, the friendly name, and the device instance
// path whose enumerator (HDAUDIO, USB, BTHENUM, BTHHFENUM, BTHLEDEVICE...)
// tells the bus.
type WindowsEndpoint struct {
	ID           string
	Capture      bool
	FriendlyName string
	FormFactor   int
	InstancePath string // e.g. {1}.USB\VID_0B0E&PID_245E&MI_00\... or BTHHFENUM\...
	Default      bool
}

var winVidPid = regexp.MustCompile(`(?i)VID_([0-9A-F]{4})&PID_([0-9A-F]{4})`)

// WindowsEnumerator extracts the enumerator name from an instance path.
func WindowsEnumerator(path string) string {
	p := strings.ToUpper(path)
	if i := strings.Index(p, "}."); i >= 0 && strings.HasPrefix(p, "{") {
		p = p[i+2:]
	}
	p = strings.TrimPrefix(p, `\\?\`)
	for _, sep := range []string{`\`, "#"} {
		if i := strings.Index(p, sep); i > 0 {
			p = p[:i]
		}
	}
	return p
}

// FromWindows maps a Windows endpoint to the common Device facts.
func FromWindows(e WindowsEndpoint) Device {
	d := Device{ID: e.ID, Description: e.FriendlyName, Product: e.FriendlyName, API: "wasapi", Default: e.Default,
		Direction: Output, Props: map[string]string{"windows.instance_path": e.InstancePath}}
	if e.Capture {
		d.Direction = Input
	}
	enum := WindowsEnumerator(e.InstancePath)
	d.Props["windows.enumerator"] = enum
	switch {
	case strings.HasPrefix(enum, "BTH"): // BTHENUM, BTHHFENUM, BTHLEDEVICE, BTHLE
		d.Bus = "bluetooth"
	case enum == "USB":
		d.Bus = "usb"
	case enum == "HDAUDIO", enum == "PCI", enum == "INTELAUDIO", enum == "ACPI":
		d.Bus = "pci"
	}
	if m := winVidPid.FindStringSubmatch(e.InstancePath); m != nil {
		d.USBVendor, d.USBProduct = strings.ToLower(m[1]), strings.ToLower(m[2])
	}
	ff := e.FormFactor
	if e.InstancePath == "" {
		// Every real endpoint names the device it belongs to. One that does
		// not (Wine's PulseAudio endpoints, all "Speakers") has a made-up
		// form factor: leave it unknown and let the sound test decide.
		d.Props["windows.form_factor"] = strconv.Itoa(ff)
		ff = WinUnknownFormFactor
	}
	switch ff {
	case WinSpeakers:
		d.FormFactor = "speaker"
	case WinHeadphones:
		d.FormFactor = "headphone"
	case WinMicrophone:
		d.FormFactor = "microphone"
	case WinHeadset:
		d.FormFactor = "headset"
	case WinHandset:
		d.FormFactor = "handset"
	case WinDigitalAudioDisplay:
		d.FormFactor = "hdmi"
		d.Bus = "hdmi"
	case WinSPDIF:
		d.FormFactor = "spdif"
	}
	// A capture endpoint that records an output is no microphone: Wine's
	// "Monitor of <sink>" (PulseAudio monitors), Realtek's "Stereo Mix".
	if e.Capture && e.InstancePath == "" && strings.HasPrefix(e.FriendlyName, "Monitor of ") ||
		e.Capture && strings.Contains(strings.ToLower(e.FriendlyName), "stereo mix") {
		d.Monitor = true
	}
	// An HDAUDIO speaker or microphone is the computer's own.
	if d.Bus == "pci" && (d.FormFactor == "speaker" || d.FormFactor == "microphone") {
		d.FormFactor = "internal"
	}
	return d
}
