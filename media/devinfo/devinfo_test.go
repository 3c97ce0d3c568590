package devinfo

import "testing"

func TestWindowsEnumerator(t *testing.T) {
	cases := map[string]string{
		`{1}.USB\VID_0B0E&PID_0305&MI_00\7&1B2C3D4&0&0000`:                     "USB",
		`{1}.HDAUDIO\FUNC_01&VEN_10EC&DEV_0295`:                                "HDAUDIO",
		`{1}.BTHHFENUM\{0000111E-0000-1000-8000-00805F9B34FB}_VID&0002054C`:    "BTHHFENUM",
		`\\?\BTHENUM#{0000110b-0000-1000-8000-00805f9b34fb}_LOCALMFG&0002#7&1`: "BTHENUM",
		``: "",
	}
	for in, want := range cases {
		if got := WindowsEnumerator(in); got != want {
			t.Errorf("WindowsEnumerator(%q) = %q, want %q", in, got, want)
		}
	}
	d := FromWindows(WindowsEndpoint{FormFactor: WinHeadset, InstancePath: `{1}.USB\VID_0B0E&PID_0305&MI_00\x`})
	if d.Bus != "usb" || d.USBID() != "0b0e:0305" || d.FormFactor != "headset" {
		t.Fatalf("usb endpoint: %+v", d)
	}
}

func TestParseSystemProfiler(t *testing.T) {
	out := []byte(`{"SPAudioDataType":[{"_items":[
	 {"_name":"MacBook Pro Speakers","coreaudio_device_output":2,"coreaudio_device_transport":"coreaudio_device_type_builtin","coreaudio_default_audio_output_device":"spaudio_yes"},
	 {"_name":"Jabra EVOLVE 40","coreaudio_device_input":1,"coreaudio_device_output":2,"coreaudio_device_transport":"coreaudio_device_type_usb"},
	 {"_name":"AirPods Pro","coreaudio_device_input":1,"coreaudio_device_transport":"coreaudio_device_type_bluetooth"}]}]}`)
	devs, err := ParseSystemProfiler(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 4 {
		t.Fatalf("devices: %+v", devs)
	}
	if devs[0].Bus != "pci" || devs[0].FormFactor != "internal" || !devs[0].Default {
		t.Errorf("speakers: %+v", devs[0])
	}
	if devs[1].Bus != "usb" || devs[2].Direction != Input || devs[3].Bus != "bluetooth" || !devs[3].IsBluetooth() {
		t.Errorf("usb/bt: %+v", devs[1:])
	}
	if _, err := ParseSystemProfiler([]byte("not json")); err == nil {
		t.Error("bad JSON accepted")
	}
}

func TestPulsePropsBluetoothMarkers(t *testing.T) {
	for name, props := range map[string]map[string]string{
		"bus":      {"device.bus": "bluetooth"},
		"api":      {"device.api": "bluez5"},
		"protocol": {"bluetooth.protocol": "a2dp_sink"},
		"pipewire": {"api.bluez5.address": "00:11:22:33:44:55"},
	} {
		if d := FromPulseProps("alsa_output.x", Output, props, nil, ""); !d.IsBluetooth() {
			t.Errorf("%s: not Bluetooth: %+v", name, d)
		}
	}
	if d := FromPulseProps("bluez_output.00_11.1", Output, map[string]string{}, nil, ""); !d.IsBluetooth() {
		t.Error("bluez_ name not Bluetooth")
	}
	if d := FromPulseProps("alsa_output.usb", Output, map[string]string{"device.bus": "usb", "device.vendor.id": "B0E"}, nil, ""); d.IsBluetooth() || d.USBVendor != "0b0e" {
		t.Errorf("usb: %+v", d)
	}
}

func FuzzParseSystemProfiler(f *testing.F) {
	f.Add([]byte(`{"SPAudioDataType":[{"_items":[{"_name":"X","coreaudio_device_output":2,"coreaudio_device_transport":"coreaudio_device_type_usb"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		devs, err := ParseSystemProfiler(b)
		if err == nil {
			for _, d := range devs {
				_ = d.IsBluetooth()
			}
		}
	})
}

// Capture endpoints that record an output are monitors, not microphones.
func TestWindowsMonitorEndpoints(t *testing.T) {
	for _, tc := range []struct {
		e    WindowsEndpoint
		want bool
	}{
		{WindowsEndpoint{Capture: true, FriendlyName: "Monitor of Jabra"}, true},
		{WindowsEndpoint{Capture: true, FriendlyName: "Stereo Mix (Realtek(R) Audio)", InstancePath: `{1}.HDAUDIO\FUNC_01&VEN_10EC&DEV_0295`}, true},
		{WindowsEndpoint{Capture: true, FriendlyName: "Microphone (Jabra EVOLVE 40)", InstancePath: `{1}.USB\VID_0B0E&PID_0305&MI_00\7`}, false},
		{WindowsEndpoint{FriendlyName: "Monitor of Jabra"}, false},
	} {
		if got := FromWindows(tc.e).Monitor; got != tc.want {
			t.Errorf("%q: monitor %v, want %v", tc.e.FriendlyName, got, tc.want)
		}
	}
}

// Without an instance path the form factor is not trusted (Wine's endpoints).
func TestWindowsEndpointWithoutPathHasNoFormFactor(t *testing.T) {
	d := FromWindows(WindowsEndpoint{FriendlyName: "PulseAudio", FormFactor: WinSpeakers})
	if d.FormFactor != "" || d.Bus != "" || d.Props["windows.form_factor"] != "1" {
		t.Fatalf("%+v", d)
	}
}
