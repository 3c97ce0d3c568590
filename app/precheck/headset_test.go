package precheck

import (
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/devinfo"
)

// Property sets recorded from real PulseAudio / PipeWire, Windows and macOS
// machines (trimmed to the keys that matter).
func recordedDevices() map[string]struct {
	dev  devinfo.Device
	kind Kind
	want Verdict
} {
	pa := devinfo.FromPulseProps
	jackPorts := func(avail devinfo.Availability) []devinfo.Port {
		return []devinfo.Port{{Name: "analog-output-speaker", Available: devinfo.AvailUnknown}, {Name: "analog-output-headphones", Available: avail}}
	}
	// A USB headset output as PulseAudio lists it, with a headset form
	// factor (what wired headsets and most USB receivers report alike).
	usbHeadset := func(card, vid, pid, product string) devinfo.Device {
		return pa("alsa_output.usb-"+card+"-00.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.vendor.id": vid, "device.product.id": pid,
				"device.product.name": product}, nil, "")
	}
	type c = struct {
		dev  devinfo.Device
		kind Kind
		want Verdict
	}
	return map[string]c{
		"usb jabra evolve 40": {pa("alsa_output.usb-GN_Netcom_A_S_Jabra_EVOLVE_LINK_000-00.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.vendor.id": "0b0e", "device.product.id": "0305", "device.product.name": "Jabra EVOLVE 40", "device.api": "alsa"}, nil, ""), KindWiredUSB, Pass},
		"usb jabra mic": {pa("alsa_input.usb-GN_Netcom_A_S_Jabra_EVOLVE_LINK_000-00.mono-fallback", devinfo.Input,
			map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.vendor.id": "0b0e", "device.product.id": "0305", "device.product.name": "Jabra EVOLVE 40"}, nil, ""), KindWiredUSB, Pass},
		"bluez pulseaudio": {pa("bluez_sink.00_1B_66_AA_BB_CC.a2dp_sink", devinfo.Output,
			map[string]string{"device.bus": "bluetooth", "device.form_factor": "headphone", "device.api": "bluez", "bluetooth.protocol": "a2dp_sink"}, nil, ""), KindBluetooth, Fail},
		"bluez5 pipewire no bus": {pa("bluez_output.00_1B_66_AA_BB_CC.1", devinfo.Output,
			map[string]string{"device.api": "bluez5", "api.bluez5.address": "00:1B:66:AA:BB:CC", "device.form_factor": "headset"}, nil, ""), KindBluetooth, Fail},
		"bluetooth hands-free mic": {pa("bluez_source.00_1B_66_AA_BB_CC.handsfree_head_unit", devinfo.Input,
			map[string]string{"device.form_factor": "hands-free", "bluetooth.protocol": "handsfree_head_unit"}, nil, ""), KindBluetooth, Fail},
		"laptop speakers": {pa("alsa_output.pci-0000_00_1f.3.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "pci", "device.form_factor": "internal"},
			[]devinfo.Port{{Name: "analog-output-speaker", Available: devinfo.AvailUnknown}, {Name: "analog-output-headphones", Available: devinfo.AvailNo}}, "analog-output-speaker"), KindBuiltIn, Fail},
		"laptop internal mic": {pa("alsa_input.pci-0000_00_1f.3.analog-stereo", devinfo.Input,
			map[string]string{"device.bus": "pci", "device.form_factor": "internal"},
			[]devinfo.Port{{Name: "analog-input-internal-mic", Available: devinfo.AvailUnknown}, {Name: "analog-input-headset-mic", Available: devinfo.AvailNo}}, "analog-input-internal-mic"), KindBuiltIn, Fail},
		"jack headphones plugged": {pa("alsa_output.pci-0000_00_1f.3.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "pci", "device.form_factor": "internal"}, jackPorts(devinfo.AvailYes), "analog-output-headphones"), KindAnalog, Pass},
		"jack headset mic plugged": {pa("alsa_input.pci-0000_00_1f.3.analog-stereo", devinfo.Input,
			map[string]string{"device.bus": "pci"}, []devinfo.Port{{Name: "analog-input-headset-mic", Available: devinfo.AvailYes}}, "analog-input-headset-mic"), KindAnalog, Pass},
		"jack selected but empty": {pa("alsa_output.pci-0000_00_1f.3.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "pci"}, jackPorts(devinfo.AvailNo), "analog-output-headphones"), KindJackEmpty, Fail},
		"jack without sensing": {pa("alsa_output.pci-0000_00_1f.3.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "pci"}, jackPorts(devinfo.AvailUnknown), "analog-output-headphones"), KindUnknown, Warn},
		"hdmi monitor": {pa("alsa_output.pci-0000_01_00.1.hdmi-stereo", devinfo.Output,
			map[string]string{"device.bus": "pci", "device.description": "GP107GL HDMI Audio", "device.profile.name": "hdmi-stereo"},
			[]devinfo.Port{{Name: "hdmi-output-0", Available: devinfo.AvailYes}}, "hdmi-output-0"), KindHDMI, Fail},
		"usb dect base": {pa("alsa_output.usb-Plantronics_Savi_8200-00.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.vendor.id": "047f", "device.product.id": "ac28", "device.product.name": "Plantronics Savi 8200 Series"}, nil, ""), KindDECT, Pass},
		"usb bluetooth dongle": {pa("alsa_output.usb-Jabra_Link_380-00.analog-stereo", devinfo.Output,
			map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.vendor.id": "0b0e", "device.product.id": "24c8", "device.product.name": "Jabra Link 380"}, nil, ""), KindBluetoothDongle, Fail},
		// The USB receivers of wireless headsets, as Linux and Windows name
		// them: none may pass as a wired headset.
		"usb dect yealink":               {usbHeadset("Yealink_WH62_Dual_UC", "6993", "b0b2", "Yealink WH62 Dual UC"), KindDECT, Pass},
		"usb dect jabra engage 55":       {usbHeadset("Jabra_Engage_55", "0b0e", "a016", "Jabra Engage 55"), KindDECT, Pass},
		"usb epos btd 800":               {usbHeadset("EPOS_BTD_800_USB", "1395", "0285", "EPOS BTD 800 USB"), KindBluetoothDongle, Fail},
		"usb poly bt300":                 {usbHeadset("Plantronics_BT300", "047f", "02e6", "Plantronics BT300"), KindBluetoothDongle, Fail},
		"usb logitech g733":              {usbHeadset("Logitech_G733_Gaming_Headset", "046d", "0ab5", "G733 Gaming Headset"), KindBluetoothDongle, Fail},
		"usb logitech lightspeed":        {usbHeadset("Logitech_PRO_X_LIGHTSPEED", "046d", "0aba", "PRO X LIGHTSPEED"), KindBluetoothDongle, Fail},
		"usb steelseries arctis 7":       {usbHeadset("SteelSeries_Arctis_7", "1038", "12ad", "SteelSeries Arctis 7"), KindBluetoothDongle, Fail},
		"usb hyperx cloud flight":        {usbHeadset("HyperX_Cloud_Flight", "0951", "16c4", "HyperX Cloud Flight"), KindBluetoothDongle, Fail},
		"usb wired jabra engage 50":      {usbHeadset("Jabra_Engage_50", "0b0e", "0300", "Jabra Engage 50"), KindWiredUSB, Pass},
		"usb wired logitech h390":        {usbHeadset("Logitech_USB_Headset_H390", "046d", "0a44", "Logitech USB Headset H390"), KindWiredUSB, Pass},
		"usb wired steelseries arctis 1": {usbHeadset("SteelSeries_Arctis_1", "1038", "12b3", "SteelSeries Arctis 1"), KindWiredUSB, Pass},
		"windows logitech g733": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.0.00000000}.{g7}", FriendlyName: "Speakers (G733 Gaming Headset)",
			FormFactor: devinfo.WinHeadphones, InstancePath: `{1}.USB\VID_046D&PID_0AB5&MI_00\7&2A3B4C5&0&0000`}), KindBluetoothDongle, Fail},
		"usb webcam mic": {pa("alsa_input.usb-046d_HD_Pro_Webcam_C920-02.analog-stereo", devinfo.Input,
			map[string]string{"device.bus": "usb", "device.form_factor": "webcam", "device.vendor.id": "046d", "device.product.id": "082d"}, nil, ""), KindExternal, Fail},
		"null sink": {pa("homeshore_default", devinfo.Output, map[string]string{"device.class": "abstract"}, nil, ""), KindUnknown, Warn},
		"monitor":   {pa("homeshore_default.monitor", devinfo.Input, map[string]string{"device.class": "monitor"}, nil, ""), KindMonitor, Fail},
		// Laptop digital microphone arrays, from public pactl dumps (PulseAudio
		// and PipeWire, UCM on Intel SOF and AMD): none says "internal".
		"sof dmic pulseaudio (ThinkPad X1 Carbon 7)": {pa("alsa_input.pci-0000_00_1f.3-platform-skl_hda_dsp_generic.HiFi__hw_sofhdadsp_6__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "sof-hda-dsp", "device.string": "hw:sofhdadsp,6",
				"device.profile.name": "HiFi: hw:sofhdadsp,6: source", "device.product.name": "Cannon Point-LP High Definition Audio Controller",
				"device.description": "Cannon Point-LP High Definition Audio Controller Digital Microphone"},
			[]devinfo.Port{{Name: "[In] Mic1", Description: "Digital Microphone", Available: devinfo.AvailUnknown}}, "[In] Mic1"), KindBuiltIn, Fail},
		"sof dmic pipewire (Lunar Lake)": {pa("alsa_input.pci-0000_00_1f.3-platform-skl_hda_dsp_generic.HiFi__Mic1__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "sof-hda-dsp", "device.api": "alsa",
				"device.description": "Lunar Lake-M HD Audio Controller Digital Microphone"},
			[]devinfo.Port{{Name: "[In] Mic1", Description: "Digital Microphone", Available: devinfo.AvailUnknown}}, "[In] Mic1"), KindBuiltIn, Fail},
		"sof dmic port only": {pa("alsa_input.pci-0000_00_1f.3-platform-sof_sdw.HiFi__hw_sofsoundwire_4__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "sof-soundwire", "device.description": "Meteor Lake-P HD Audio Controller Microphones"},
			[]devinfo.Port{{Name: "[In] Mic", Description: "SoundWire microphones", Available: devinfo.AvailUnknown}}, "[In] Mic"), KindBuiltIn, Fail},
		"sof mic1 without description": {pa("alsa_input.pci-0000_00_1f.3-platform-skl_hda_dsp_generic.HiFi__Mic1__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "sof-hda-dsp"},
			[]devinfo.Port{{Name: "[In] Mic1", Available: devinfo.AvailUnknown}}, "[In] Mic1"), KindBuiltIn, Fail},
		"amd hda acp dmic": {pa("alsa_input.pci-0000_05_00.6.HiFi__Mic1__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "HD-Audio Generic",
				"device.description": "Family 17h/19h HD Audio Controller Digital Microphone"},
			[]devinfo.Port{{Name: "[In] Mic1", Description: "Digital Microphone", Available: devinfo.AvailUnknown}}, "[In] Mic1"), KindBuiltIn, Fail},
		"amd acp6x dmic without ucm": {pa("alsa_input.pci-0000_04_00.5-platform-acp_yc_mach.0.stereo-fallback", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "acp6x", "alsa.name": "DMIC capture dmic-hifi-0",
				"device.description": "acp6x Stereo"}, nil, ""), KindBuiltIn, Fail},
		"hda internal mic pipewire": {pa("alsa_input.pci-0000_00_1f.3.analog-stereo", devinfo.Input,
			map[string]string{"device.bus": "pci", "device.description": "Built-in Audio Analog Stereo"},
			[]devinfo.Port{{Name: "analog-input-internal-mic", Description: "Internal Microphone", Available: devinfo.AvailUnknown}}, "analog-input-internal-mic"), KindBuiltIn, Fail},
		// The same cards' headset sockets stay headset sockets.
		"sof jack mic": {pa("alsa_input.pci-0000_00_1f.3-platform-skl_hda_dsp_generic.HiFi__hw_sofhdadsp__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "sof-hda-dsp", "device.string": "hw:sofhdadsp",
				"device.description": "Sof-hda-dsp Headphones Stereo Microphone"},
			[]devinfo.Port{{Name: "[In] Mic2", Description: "Headphones Stereo Microphone", Available: devinfo.AvailYes}}, "[In] Mic2"), KindAnalog, Pass},
		"sof headset mic": {pa("alsa_input.pci-0000_00_1f.3-platform-skl_hda_dsp_generic.HiFi__Headset__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "sof-hda-dsp", "device.description": "Raptor Lake-P/U/H cAVS Headset Microphone"},
			[]devinfo.Port{{Name: "[In] Headset", Description: "Headset Microphone", Available: devinfo.AvailUnknown}}, "[In] Headset"), KindUnknown, Warn},
		"hda ucm headset port on a shared source": {pa("alsa_input.pci-0000_00_1f.3.HiFi__hw_PCH__source", devinfo.Input,
			map[string]string{"device.bus": "pci", "alsa.card_name": "HDA Intel PCH", "device.description": "Built-in Audio Internal Microphone"},
			[]devinfo.Port{{Name: "[In] Mic", Description: "Internal Microphone", Available: devinfo.AvailUnknown},
				{Name: "[In] Headset", Description: "Headset Microphone", Available: devinfo.AvailYes}}, "[In] Headset"), KindAnalog, Pass},
		"usb audio interface mic 1": {pa("alsa_input.usb-Focusrite_Scarlett_2i2_USB-00.HiFi__Mic1__source", devinfo.Input,
			map[string]string{"device.bus": "usb", "device.description": "Scarlett 2i2 USB Input 1"},
			[]devinfo.Port{{Name: "[In] Mic1", Description: "Input 1", Available: devinfo.AvailUnknown}}, "[In] Mic1"), KindUnknown, Warn},
		"usb speakerphone claiming headset": {pa("alsa_input.usb-0b0e_Jabra_SPEAK_510_USB_1C48F9F6B5B3020A00-00.mono-fallback", devinfo.Input,
			map[string]string{"device.bus": "usb", "device.form_factor": "headset", "device.vendor.id": "0b0e", "device.product.id": "0420",
				"device.product.name": "Jabra SPEAK 510 USB"}, nil, ""), KindExternal, Fail},
		"usb desk microphone": {pa("alsa_input.usb-Blue_Microphones_Yeti_Stereo_Microphone_REV8-00.analog-stereo", devinfo.Input,
			map[string]string{"device.bus": "usb", "device.product.name": "Yeti Stereo Microphone"}, nil, ""), KindExternal, Fail},
		"usb webcam without form factor": {pa("alsa_input.usb-046d_Logitech_BRIO_8E2B7A45-03.analog-stereo", devinfo.Input,
			map[string]string{"device.bus": "usb", "device.product.name": "Logitech BRIO"}, nil, ""), KindExternal, Fail},
		"windows dmic array": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.1.00000000}.{f6}", Capture: true,
			FriendlyName: "Microphone Array (Intel® Smart Sound Technology for Digital Microphones)", FormFactor: devinfo.WinUnknownFormFactor,
			InstancePath: `{1}.INTELAUDIO\DSP_CTLR_DEV_A0C8&VEN_8086&DEV_0222&SUBSYS_10431A13`}), KindBuiltIn, Fail},
		"windows realtek mic array": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.1.00000000}.{f7}", Capture: true,
			FriendlyName: "Microphone Array (Realtek(R) Audio)", FormFactor: devinfo.WinMicrophone,
			InstancePath: `{1}.HDAUDIO\FUNC_01&VEN_10EC&DEV_0295`}), KindBuiltIn, Fail},
		"macos builtin microphone": {devinfo.FromMac(devinfo.MacDevice{Name: "MacBook Pro Microphone", Transport: "bltn", Input: true}), KindBuiltIn, Fail},
		// Processing devices: an echo canceller or noise suppressor hides what
		// the sound tests listen for; they stay unknown whatever they sit on.
		"pulseaudio echo-cancel source": {pa("alsa_input.usb-Jabra_EVOLVE_40.mono-fallback.echo-cancel", devinfo.Input,
			map[string]string{"device.class": "filter", "device.master_device": "alsa_input.usb-Jabra_EVOLVE_40.mono-fallback",
				"device.intended_roles": "phone", "device.description": "Jabra EVOLVE 40 Mono (echo cancelled with Jabra EVOLVE 40)"}, nil, ""), KindUnknown, Warn},
		"pipewire echo-cancel sink": {pa("echo-cancel-sink", devinfo.Output,
			map[string]string{"media.class": "Audio/Sink", "device.description": "Echo-Cancel Sink"}, nil, ""), KindUnknown, Warn},
		"noisetorch microphone": {pa("nui_mic_remap", devinfo.Input,
			map[string]string{"device.class": "filter", "device.description": "NoiseTorch Microphone for Built-in Audio"}, nil, ""), KindUnknown, Warn},
		"windows virtual cable": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.1.00000000}.{a9}", Capture: true,
			FriendlyName: "CABLE Output (VB-Audio Virtual Cable)", FormFactor: devinfo.WinMicrophone,
			InstancePath: `{1}.ROOT\MEDIA\0000`}), KindUnknown, Warn},
		"windows usb headset": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.0.00000000}.{a1}", FriendlyName: "Headset (Jabra EVOLVE 40)",
			FormFactor: devinfo.WinHeadset, InstancePath: `{1}.USB\VID_0B0E&PID_0305&MI_00\7&1B2C3D4&0&0000`}), KindWiredUSB, Pass},
		"windows bluetooth headset": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.0.00000000}.{b2}", FriendlyName: "Headset (WH-1000XM4 Hands-Free)",
			FormFactor: devinfo.WinHeadset, InstancePath: `{1}.BTHHFENUM\{0000111E-0000-1000-8000-00805F9B34FB}_VID&0002054C_PID&0D58`}), KindBluetooth, Fail},
		"windows laptop speakers": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.0.00000000}.{c3}", FriendlyName: "Speakers (Realtek(R) Audio)",
			FormFactor: devinfo.WinSpeakers, InstancePath: `{1}.HDAUDIO\FUNC_01&VEN_10EC&DEV_0295&SUBSYS_10280A2E`}), KindBuiltIn, Fail},
		"windows jack headphones": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.0.00000000}.{d4}", FriendlyName: "Headphones (Realtek(R) Audio)",
			FormFactor: devinfo.WinHeadphones, InstancePath: `{1}.HDAUDIO\FUNC_01&VEN_10EC&DEV_0295`}), KindAnalog, Pass},
		"windows hdmi": {devinfo.FromWindows(devinfo.WindowsEndpoint{ID: "{0.0.0.00000000}.{e5}", FriendlyName: "DELL U2720Q (NVIDIA High Definition Audio)",
			FormFactor: devinfo.WinDigitalAudioDisplay, InstancePath: `{1}.HDAUDIO\FUNC_01&VEN_10DE&DEV_0093`}), KindHDMI, Fail},
		"macos builtin speakers":   {devinfo.FromMac(devinfo.MacDevice{Name: "MacBook Pro Speakers", Transport: "bltn", DataSource: "ispk"}), KindBuiltIn, Fail},
		"macos builtin headphones": {devinfo.FromMac(devinfo.MacDevice{Name: "External Headphones", Transport: "bltn", DataSource: "hdpn"}), KindAnalog, Pass},
		"macos airpods":            {devinfo.FromMac(devinfo.MacDevice{Name: "AirPods Pro", Transport: "blue"}), KindBluetooth, Fail},
		"macos usb headset":        {devinfo.FromMac(devinfo.MacDevice{Name: "Jabra EVOLVE 40 headset", Transport: "coreaudio_device_type_usb"}), KindWiredUSB, Pass},
		"macos hdmi":               {devinfo.FromMac(devinfo.MacDevice{Name: "LG UltraFine", Transport: "dprt"}), KindHDMI, Fail},
	}
}

func TestJudgeRecordedPropertySets(t *testing.T) {
	pol := config.DefaultPolicy().Checks.Headset
	for name, c := range recordedDevices() {
		v := Judge(c.dev, pol)
		if v.Kind != c.kind || v.Verdict != c.want || v.Reason == "" {
			t.Errorf("%s: kind %s verdict %s (%s), want %s %s", name, v.Kind, v.Verdict, v.Reason, c.kind, c.want)
		}
	}
}

func TestPolicyAllowsAndDeniesKindsAndModels(t *testing.T) {
	devs := recordedDevices()
	pol := config.DefaultPolicy().Checks.Headset
	pol.AllowKinds = []string{config.KindWiredUSB, config.KindBluetoothDongle}
	pol.DenyKinds = []string{config.KindDECT}
	pol.DenyModels = []string{"0b0e:0305"}
	pol.AllowModels = []string{"046d:082d"}
	cases := map[string]Verdict{
		"usb dect base":           Fail, // DECT denied
		"usb bluetooth dongle":    Pass, // dongle allowed
		"usb jabra evolve 40":     Fail, // model denied
		"usb webcam mic":          Pass, // model allowed wins over kind
		"jack headphones plugged": Fail, // analog not in allow_kinds
	}
	for name, want := range cases {
		if v := Judge(devs[name].dev, pol); v.Verdict != want {
			t.Errorf("%s: %s (%s), want %s", name, v.Verdict, v.Reason, want)
		}
	}
	pol.Unknown = config.SeverityFail
	if v := Judge(devs["null sink"].dev, pol); v.Verdict != Fail {
		t.Errorf("unknown with policy fail: %s", v.Verdict)
	}
}

func TestPinnedHeadsetMissingNeverFallsBack(t *testing.T) {
	devs := []devinfo.Device{recordedDevices()["laptop speakers"].dev, recordedDevices()["laptop internal mic"].dev}
	devs[0].Default, devs[1].Default = true, true
	pins := &memPins{pin: Pin{Output: "alsa_output.usb-Jabra", Input: "alsa_input.usb-Jabra", Description: "Jabra EVOLVE 40"}, ok: true}
	o := Options{Policy: config.DefaultPolicy()}
	c, out, _, pinned := checkHeadset(devs, o, pins)
	if !pinned || c.Verdict != Fail || out.ID != "" || c.Findings[0].Code != "pinned_missing" {
		t.Fatalf("pinned missing: %+v out=%q", c, out.ID)
	}
}

type memPins struct {
	pin   Pin
	ok    bool
	saved []Pin
}

func (m *memPins) Load() (Pin, bool, error) { return m.pin, m.ok, nil }
func (m *memPins) Save(p Pin) error         { m.saved = append(m.saved, p); m.pin, m.ok = p, true; return nil }
