// Package devinfo reads facts about audio devices from the operating system:
// bus, form factor, Bluetooth markers, ports and jack availability, USB ids.
// Linux reads PulseAudio (or PipeWire's Pulse server); Windows reads the
// MMDevices endpoint properties; macOS reads system_profiler. It states facts
// only: the headset verdict is app/precheck's.
package devinfo

import "strings"

// Direction tells outputs (sinks) from inputs (sources).
type Direction string

// Directions.
const (
	Output Direction = "output"
	Input  Direction = "input"
)

// Availability is a port's jack-sense state; real hardware often says unknown.
type Availability string

// Port availability values (PulseAudio's pa_port_available_t).
const (
	AvailUnknown Availability = "unknown"
	AvailNo      Availability = "no"
	AvailYes     Availability = "yes"
)

// Port is one connector of a device (headphones jack, speaker, HDMI...).
type Port struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Available   Availability `json:"available"`
}

// Device is everything known about one input or output.
type Device struct {
	// ID is stable across plug cycles (PulseAudio name, Windows endpoint id,
	// macOS name+transport): the pin for the headset that passed.
	ID          string            `json:"id"`
	Description string            `json:"description"`
	Direction   Direction         `json:"direction"`
	Bus         string            `json:"bus"`                  // usb, bluetooth, pci, hdmi, virtual...
	FormFactor  string            `json:"form_factor"`          // headset, headphone, internal, speaker, hands-free...
	API         string            `json:"api,omitempty"`        // alsa, bluez, bluez5, wasapi, coreaudio
	USBVendor   string            `json:"usb_vendor,omitempty"` // 4 lower-case hex digits
	USBProduct  string            `json:"usb_product,omitempty"`
	Product     string            `json:"product,omitempty"`
	Ports       []Port            `json:"ports,omitempty"`
	ActivePort  string            `json:"active_port,omitempty"`
	Monitor     bool              `json:"monitor,omitempty"` // a sink's monitor, not a microphone
	Default     bool              `json:"default,omitempty"`
	Muted       bool              `json:"muted,omitempty"`
	Props       map[string]string `json:"properties,omitempty"`
}

// ActivePortInfo returns the active port, if any.
func (d Device) ActivePortInfo() (Port, bool) {
	for _, p := range d.Ports {
		if p.Name == d.ActivePort {
			return p, true
		}
	}
	return Port{}, false
}

// USBID is "vvvv:pppp" when both ids are known.
func (d Device) USBID() string {
	if d.USBVendor == "" || d.USBProduct == "" {
		return ""
	}
	return d.USBVendor + ":" + d.USBProduct
}

// IsBluetooth applies every marker the Linux audio servers use, because
// device.form_factor alone cannot be trusted for Bluetooth.
func (d Device) IsBluetooth() bool {
	if d.Bus == "bluetooth" || d.API == "bluez" || d.API == "bluez5" ||
		strings.HasPrefix(d.ID, "bluez_") || strings.HasPrefix(d.ID, "bluez5") {
		return true
	}
	for k := range d.Props {
		if strings.HasPrefix(k, "bluetooth.") || strings.HasPrefix(k, "api.bluez5.") || strings.HasPrefix(k, "bluez.") {
			return true
		}
	}
	return false
}

// Text is a lower-case bag of names used for keyword checks (HDMI, DECT...).
func (d Device) Text() string {
	parts := []string{d.ID, d.Description, d.Product, d.ActivePort, d.Props["device.profile.name"],
		d.Props["device.product.name"], d.Props["alsa.card_name"], d.Props["alsa.name"], d.Props["device.string"]}
	if p, ok := d.ActivePortInfo(); ok {
		parts = append(parts, p.Description)
	}
	return strings.ToLower(strings.Join(parts, " "))
}

func normHex(s string) string {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	for len(s) < 4 && s != "" {
		s = "0" + s
	}
	return s
}
