package precheck

import (
	"fmt"
	"slices"
	"strings"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/assets/i18n"
	"github.com/homeshore/homeshore/media/devinfo"
)

// Kind is what a device is, as far as its metadata tells.
type Kind string

// Kinds: the five headset kinds IT policy allows or denies, and the rest.
const (
	KindWiredUSB        Kind = config.KindWiredUSB
	KindAnalog          Kind = config.KindAnalog
	KindDECT            Kind = config.KindDECT
	KindBluetoothDongle Kind = config.KindBluetoothDongle
	KindBluetooth       Kind = config.KindBluetooth
	KindBuiltIn         Kind = "built_in"     // laptop speakers or microphone
	KindHDMI            Kind = "hdmi"         // monitor/TV speakers over HDMI or DisplayPort
	KindExternal        Kind = "usb_external" // USB speakers, webcam microphone: not a headset
	KindMonitor         Kind = "monitor"      // a recording of an output, not a microphone
	KindJackEmpty       Kind = "jack_empty"   // headphone/headset port selected, nothing plugged in
	KindUnknown         Kind = "unknown"
)

// Name markers for USB headsets whose radio is not visible to the OS. USB
// ids in the policy's allow/deny lists decide before these.
var (
	dectMarkers = []string{"dect", "savi", "engage 55", "engage 65", "engage 75", "pro 9", "cs5", "d100", "impact dect",
		"yealink wh6"}
	// Bluetooth dongles, and gaming headsets whose USB receiver (2.4 GHz)
	// names the headset as if it were wired.
	dongleMarkers = []string{"bluetooth", "dongle", "link 3", "bt300", "bt50", "bt600", "bt700", "btd 800", "btd800",
		"voyager", "wireless", "evolve2 65", "evolve2 75", "evolve 65", "evolve 75",
		"lightspeed", "g435", "g533", "g733", "g935", "arctis 7", "arctis 9", "arctis nova 7", "cloud flight",
		"blackshark v2 pro"}
	// USB speakerphones and desk microphones: they may even report a headset
	// form factor (and speakerphones cancel their own echo, so the leak test
	// cannot see them), but the caller hears the whole room.
	speakerphoneMarkers = []string{"speakerphone", "speak 410", "speak 510", "speak 710", "speak 750", "speak2", "speak 2",
		"poly sync", "plantronics sync", "calisto", "powerconf", "emeet", "conference"}
	deskMicMarkers = []string{"yeti", "snowball", "at2020", "quadcast", "solocast", "q2u", "nt-usb", "podmic", "seiren",
		"elgato wave", "fifine", "microphone array", "mic array", "webcam", "camera", "brio", "c920", "c922", "c925", "c930",
		"c270", "c310", "c615", "kiyo", "facecam", "streamcam", "lifecam"}
	// builtInMicMarkers name a computer's own microphone (input ports and
	// descriptions as PulseAudio/PipeWire, UCM and Windows report them):
	// digital microphone arrays (SOF/DMIC, AMD ACP PDM, SoundWire) first.
	builtInMicMarkers = []string{"digital microphone", "digital mic", "dmic", "internal mic", "internal microphone",
		"internal stereo microphone", "internal digital", "built-in mic", "built-in microphone", "builtin mic",
		"soundwire microphone", "microphone array", "mic array", "analog-input-internal", "internal-mic",
		"sofhdadsp,6", "sofhdadsp,7", "sofhdadsp_6", "sofhdadsp_7"}
	// processingMarkers name devices that process or re-route the sound
	// (echo cancellers, noise suppressors, virtual cables): an echo canceller
	// or a noise suppressor removes exactly the probe echo the leak test
	// listens for, and their output hides where the microphone is.
	processingMarkers = []string{"echo cancel", "echo-cancel", "echo_cancel", "echocancel", "noise cancel", "noise suppress",
		"noise-suppress", "noise_suppress", "denois", "rnnoise", "noisetorch", "easyeffects", "krisp", "nvidia broadcast",
		"vb-audio", "voicemeeter", "cable output", "cable input"}
	// jackMicMarkers name a socket the agent plugs a headset into.
	jackMicMarkers = []string{"headset", "headphone", "front", "rear", "jack", "line", "external"}
)

// builtInMic tells a laptop's own microphone from its input metadata: a
// built-in marker in its names or active port, or (UCM on Intel SOF and
// AMD HDA+ACP cards, where "Mic1" is the digital array and the jack is
// "Mic2" or "Headset") the "[In] Mic1" port of such a card that names no
// socket.
func builtInMic(d devinfo.Device, text, pname string) (bool, string) {
	if d.Direction != devinfo.Input {
		return false, ""
	}
	for _, m := range builtInMicMarkers {
		if strings.Contains(pname, m) {
			return true, "active port names a built-in microphone (" + m + ")"
		}
	}
	if hasAny(pname, jackMicMarkers) {
		return false, "" // the port says headset socket: it decides below
	}
	for _, m := range builtInMicMarkers {
		if strings.Contains(text, m) {
			return true, "names a built-in microphone (" + m + ")"
		}
	}
	port, _ := d.ActivePortInfo()
	if strings.EqualFold(port.Name, "[In] Mic1") && hasAny(text, []string{"sof", "hda_dsp", "hda-dsp", "acp", "hd-audio generic"}) {
		return true, "UCM digital microphone port [In] Mic1"
	}
	return false, ""
}

// DeviceVerdict is one device with its kind and verdict for `homeshore devices`.
type DeviceVerdict struct {
	devinfo.Device
	Kind     Kind    `json:"kind"`
	Verdict  Verdict `json:"verdict"`
	Code     string  `json:"code"`
	Reason   string  `json:"reason"`   // for the agent
	Evidence string  `json:"evidence"` // for IT: which property decided
	// Processing: an echo canceller, noise suppressor or virtual cable
	// between Homeshore and the device; the sound tests cannot vouch for it.
	Processing bool `json:"processing,omitempty"`
	// ReasonKey and ReasonArgs are Reason in catalogue form (assets/i18n).
	ReasonKey  string `json:"-"`
	ReasonArgs []any  `json:"-"`
}

func hasAny(text string, words []string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	return false
}

// processing reports an echo canceller, noise suppressor or virtual cable.
func processing(d devinfo.Device) (bool, string) {
	text := d.Text()
	for _, m := range processingMarkers {
		if strings.Contains(text, m) {
			return true, m
		}
	}
	return false, ""
}

// Classify tells a device's kind from its metadata; evidence says why.
func Classify(d devinfo.Device) (Kind, string) {
	text := d.Text()
	if ok, m := processing(d); ok && !d.Monitor {
		return KindUnknown, "processing device (" + m + "): the sound tests cannot see through it; choose the headset itself"
	}
	ff := strings.ToLower(d.FormFactor)
	port, hasPort := d.ActivePortInfo()
	pname := strings.ToLower(port.Name + " " + port.Description)
	switch {
	case d.Monitor:
		return KindMonitor, "monitor source of an output"
	case d.IsBluetooth():
		return KindBluetooth, "Bluetooth device (bus/api/name)"
	case d.Bus == "hdmi" || ff == "hdmi" || hasAny(text, []string{"hdmi", "displayport", "display port"}):
		return KindHDMI, "HDMI/DisplayPort output"
	case d.Bus == "usb":
		switch {
		case hasAny(text, speakerphoneMarkers):
			return KindExternal, "USB speakerphone, not a headset"
		case hasAny(text, deskMicMarkers):
			return KindExternal, "USB desk microphone or camera, not a headset"
		case hasAny(text, dectMarkers):
			return KindDECT, "USB DECT base (" + d.Product + ")"
		case hasAny(text, dongleMarkers):
			return KindBluetoothDongle, "USB wireless dongle (" + d.Product + ")"
		case ff == "headset" || ff == "headphone" || ff == "handset" || strings.Contains(text, "headset") || strings.Contains(text, "headphone"):
			return KindWiredUSB, "USB headset (form factor " + orDash(ff) + ")"
		case ff == "webcam" || ff == "speaker" || ff == "microphone" || ff == "computer" || strings.Contains(text, "webcam"):
			return KindExternal, "USB " + ff + ", not a headset"
		}
		return KindUnknown, "USB device without a headset form factor"
	}
	if ok, why := builtInMic(d, text, pname); ok {
		return KindBuiltIn, why
	}
	// Analog card (pci/platform/none): the active port and its jack sense decide.
	if hasPort {
		headsetPort := hasAny(pname, []string{"headphone", "headset", "analog-input-mic", "front-mic", "rear-mic", "line-out"})
		internalPort := hasAny(pname, []string{"speaker", "internal-mic", "internal mic", "analog-input-internal"})
		switch {
		case internalPort:
			return KindBuiltIn, "active port " + port.Name
		case headsetPort && port.Available == devinfo.AvailNo:
			return KindJackEmpty, "active port " + port.Name + " reports nothing plugged in"
		case headsetPort && port.Available == devinfo.AvailYes:
			return KindAnalog, "jack " + port.Name + " plugged in"
		case headsetPort:
			return KindUnknown, "jack " + port.Name + " without jack sensing"
		}
	}
	switch ff {
	case "headset", "headphone", "handset":
		if d.Bus == "pci" || d.Bus == "platform" || d.Bus == "isa" {
			return KindAnalog, "analog " + ff
		}
		return KindUnknown, ff + " on unknown bus"
	case "internal", "speaker", "microphone":
		return KindBuiltIn, "form factor " + ff
	}
	return KindUnknown, "no bus, form factor or port tells what this is"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Judge applies the IT policy to a device: verdict, stable code and reason.
func Judge(d devinfo.Device, pol config.HeadsetPolicy) DeviceVerdict {
	kind, evidence := Classify(d)
	v := DeviceVerdict{Device: d, Kind: kind}
	v.Processing, _ = processing(d)
	name := fmt.Sprintf("%q", d.Description)
	setKey := func(verdict Verdict, code, key string, args ...any) DeviceVerdict {
		v.Verdict, v.Code, v.Evidence = verdict, code, evidence
		v.Reason, v.ReasonKey, v.ReasonArgs = message(key, args...), key, args
		return v
	}
	set := func(verdict Verdict, code string, args ...any) DeviceVerdict {
		return setKey(verdict, code, msgKey(code), args...)
	}
	if id := d.USBID(); id != "" {
		if slices.Contains(pol.DenyModels, id) {
			return set(Fail, "model_denied", name, id)
		}
		if slices.Contains(pol.AllowModels, id) {
			return set(Pass, "model_allowed", name, id)
		}
	}
	headsetKind := func() DeviceVerdict {
		if slices.Contains(pol.DenyKinds, string(kind)) || !slices.Contains(pol.AllowKinds, string(kind)) {
			return set(Fail, "kind_denied", name, kindTerm(kind))
		}
		return set(Pass, "headset", name, kindTerm(kind))
	}
	switch kind {
	case KindWiredUSB, KindAnalog, KindDECT, KindBluetoothDongle:
		return headsetKind()
	case KindBluetooth:
		if slices.Contains(pol.AllowKinds, string(kind)) && !slices.Contains(pol.DenyKinds, string(kind)) {
			return setKey(Pass, "headset", "check.msg.headset_bluetooth_allowed", name)
		}
		return set(Fail, "bluetooth", name)
	case KindBuiltIn:
		if d.Direction == devinfo.Input {
			return set(Fail, "built_in_mic", name)
		}
		return set(Fail, "built_in_speaker", name)
	case KindHDMI:
		return set(Fail, "hdmi", name)
	case KindExternal:
		return set(Fail, "not_headset", name)
	case KindMonitor:
		return set(Fail, "monitor", name)
	case KindJackEmpty:
		return set(Fail, "jack_empty", name)
	}
	return set(Verdict(pol.Unknown), "unknown", name)
}

// kindTerm is the words for a headset kind, translated with its sentence.
func kindTerm(k Kind) i18n.Term { return term("kind." + string(k)) }

// kindWords is the English words for a headset kind.
func kindWords(k Kind) string { return message(string(kindTerm(k))) }
