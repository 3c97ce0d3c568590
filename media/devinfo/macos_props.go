package devinfo

import (
	"encoding/json"
	"fmt"
	"strings"
)

// MacDevice is the recorded property set of one Core Audio device as
// system_profiler SPAudioDataType -json reports it (or, through cgo,
// kAudioDevicePropertyTransportType and the data source code).
type MacDevice struct {
	Name       string
	Transport  string // bltn, usb , blue, blea, hdmi, dprt, virt, or system_profiler's coreaudio_device_type_*
	DataSource string // built-in jack: hdpn (headphones) vs ispk (internal speaker), imic, emic
	Input      bool
	Default    bool
}

// FromMac maps a Core Audio device to the common Device facts.
func FromMac(m MacDevice) Device {
	d := Device{ID: m.Name + "|" + strings.TrimSpace(m.Transport), Description: m.Name, Product: m.Name,
		API: "coreaudio", Default: m.Default, Direction: Output,
		Props: map[string]string{"macos.transport": m.Transport, "macos.data_source": m.DataSource}}
	if m.Input {
		d.Direction = Input
	}
	t := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(m.Transport, "coreaudio_device_type_")))
	name := strings.ToLower(m.Name)
	switch t {
	case "blue", "blea", "bluetooth", "bluetooth_le", "bluetoothle":
		d.Bus = "bluetooth"
	case "usb":
		d.Bus = "usb"
	case "hdmi", "dprt", "displayport", "thunderbolt":
		d.Bus, d.FormFactor = "hdmi", "hdmi"
	case "virt", "virtual", "aggregate", "grup":
		d.Bus = "virtual"
	case "bltn", "builtin", "built-in":
		d.Bus = "pci"
		d.FormFactor = "internal"
		switch {
		case m.DataSource == "hdpn" || strings.Contains(name, "headphone"):
			d.FormFactor = "headphone"
			d.ActivePort = "analog-output-headphones"
			d.Ports = []Port{{Name: d.ActivePort, Available: AvailYes}}
		case m.DataSource == "emic" || strings.Contains(name, "external microphone"):
			d.FormFactor = "headset"
			d.ActivePort = "analog-input-headset-mic"
			d.Ports = []Port{{Name: d.ActivePort, Available: AvailYes}}
		}
	}
	return d
}

// ParseSystemProfiler reads `system_profiler SPAudioDataType -json`.
func ParseSystemProfiler(b []byte) ([]Device, error) {
	var doc struct {
		SPAudioDataType []struct {
			Items []map[string]any `json:"_items"`
		} `json:"SPAudioDataType"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("system_profiler output: %w", err)
	}
	var devs []Device
	for _, g := range doc.SPAudioDataType {
		for _, it := range g.Items {
			str := func(k string) string { s, _ := it[k].(string); return s }
			m := MacDevice{Name: str("_name"), Transport: str("coreaudio_device_transport")}
			if _, ok := it["coreaudio_device_output"]; ok { // channel count
				o := m
				o.Default = str("coreaudio_default_audio_output_device") == "spaudio_yes"
				devs = append(devs, FromMac(o))
			}
			if _, ok := it["coreaudio_device_input"]; ok {
				i := m
				i.Input = true
				i.Default = str("coreaudio_default_audio_input_device") == "spaudio_yes"
				devs = append(devs, FromMac(i))
			}
		}
	}
	return devs, nil
}
