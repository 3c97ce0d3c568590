//go:build linux

package headset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A fake /sys/class/hidraw with two devices (a gaming headset's media keys
// and a Jabra BIZ 2400 II) and /dev nodes that are FIFOs: Open finds the
// one with call buttons, names it from its uevent, and its reports come
// through the session as presses.
func TestHidrawFindsTheHeadsetAndReadsItsButtons(t *testing.T) {
	sys, dev := t.TempDir(), t.TempDir()
	add := func(node string, desc []byte, uevent string) {
		dir := filepath.Join(sys, node, "device")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = os.WriteFile(filepath.Join(dir, "report_descriptor"), desc, 0o644)
		_ = os.WriteFile(filepath.Join(dir, "uevent"), []byte(uevent), 0o644)
		if err := syscall.Mkfifo(filepath.Join(dev, node), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	consumer := []byte{0x05, 0x0C, 0x09, 0x01, 0xA1, 0x01, 0x09, 0xE9, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x81, 0x02, 0x95, 0x07, 0x81, 0x01, 0xC0}
	jabra, err := os.ReadFile("testdata/jabra-biz-2400-ii-0b0e-2453.bin")
	if err != nil {
		t.Fatal(err)
	}
	add("hidraw0", consumer, "HID_ID=0003:0000046D:00000AC4\nHID_NAME=Logitech G535\n")
	add("hidraw3", jabra, "DRIVER=hid-generic\nHID_ID=0003:00000B0E:00002453\nHID_NAME=GN Netcom A/S Jabra BIZ 2400 II\n")

	d, layout, info, err := openHidraw(sys, dev, "")
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "GN Netcom A/S Jabra BIZ 2400 II" || info.USBID() != "0b0e:2453" || info.Path != filepath.Join(dev, "hidraw3") {
		t.Fatalf("info = %+v", info)
	}
	presses := make(chan Button, 4)
	s := Start(d, layout, info, func(b Button) { presses <- b }, nil)
	// The headset side: another handle on the node writes input reports.
	w, err := os.OpenFile(info.Path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write([]byte{0x02, 0x01, 0x00}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	select {
	case b := <-presses:
		if b != Answer {
			t.Fatalf("press = %v, want answer", b)
		}
	case <-ctx.Done():
		t.Fatal("no press from the headset's report")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Close must wait for the reader")
	}

	if _, _, _, err := openHidraw(filepath.Join(sys, "none"), dev, ""); !errors.Is(err, ErrNoHeadset) {
		t.Fatalf("no hidraw at all: %v", err)
	}
}
