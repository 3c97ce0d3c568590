package precheck

import (
	"context"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/devinfo"
)

// Virtual devices with the properties of real hardware, read back through
// the real PulseAudio protocol and judged.
func TestDevicesOnRealPulse(t *testing.T) {
	t.Parallel()
	requirePulse(t)
	usb := newPulsePair(t, "usbhs",
		"device.bus=usb device.form_factor=headset device.vendor.id=0b0e device.product.id=0305 device.product.name='Jabra EVOLVE 40' device.description='Jabra EVOLVE 40'",
		"device.bus=usb device.form_factor=headset device.vendor.id=0b0e device.product.id=0305 device.description='Jabra EVOLVE 40 Mono'")
	jack := newPulsePair(t, "jack",
		"device.bus=pci device.form_factor=headphone device.description='Built-in Audio Headphones'",
		"device.bus=pci device.form_factor=headset device.description='Built-in Audio Headset Microphone'")
	bt := newPulsePair(t, "bluez",
		"device.bus=bluetooth device.api=bluez device.form_factor=headset bluetooth.protocol=headset_head_unit device.description='WH-1000XM4'",
		"device.bus=bluetooth device.api=bluez device.form_factor=headset bluetooth.protocol=headset_head_unit device.description='WH-1000XM4'")
	laptop := newPulsePair(t, "laptop",
		"device.bus=pci device.form_factor=internal device.description='Built-in Audio Speakers'",
		"device.bus=pci device.form_factor=internal device.description='Built-in Audio Internal Microphone'")
	hdmi := newPulsePair(t, "hdmi",
		"device.bus=pci device.profile.name=hdmi-stereo device.description='GP107GL High Definition Audio Controller Digital Stereo (HDMI)'",
		"device.bus=pci device.form_factor=internal")
	want := map[string]struct {
		kind Kind
		v    Verdict
	}{
		usb.out: {KindWiredUSB, Pass}, usb.in: {KindWiredUSB, Pass},
		jack.out: {KindAnalog, Pass}, jack.in: {KindAnalog, Pass},
		bt.out: {KindBluetooth, Fail}, bt.in: {KindBluetooth, Fail},
		laptop.out: {KindBuiltIn, Fail}, laptop.in: {KindBuiltIn, Fail},
		hdmi.out:             {KindHDMI, Fail},
		usb.out + ".monitor": {KindMonitor, Fail},
	}
	devs, err := devinfo.PulseDevices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := judgeAll(devs, config.DefaultPolicy().Checks.Headset)
	seen := 0
	for _, d := range got {
		w, ok := want[d.ID]
		if !ok {
			continue
		}
		seen++
		if d.Kind != w.kind || d.Verdict != w.v || d.Reason == "" {
			t.Errorf("%s (%s): kind %s verdict %s reason %q; want %s %s", d.ID, d.Direction, d.Kind, d.Verdict, d.Reason, w.kind, w.v)
		}
	}
	if seen != len(want) {
		t.Fatalf("saw %d of %d virtual devices in %d listed", seen, len(want), len(got))
	}
}
