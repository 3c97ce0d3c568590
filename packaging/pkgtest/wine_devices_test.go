//go:build packaging

package pkgtest

import (
	"strings"
	"testing"

	"github.com/homeshore/homeshore/internal/testenv"
)

// The Windows build reads endpoint property sets recorded on real Windows
// machines from the MMDevices registry tree and classifies each device as
// the Linux build classifies the same device: Bluetooth fails even when it
// says headset, USB headsets and DECT bases pass, speakers and HDMI fail.
// Each id is the endpoint id WASAPI opens.
func TestWineDevicesClassifyRecordedEndpoints(t *testing.T) {
	cli := artifact(t, "windows/homeshore-cli.exe")
	w := testenv.WinePrefix(t)
	eps := recordedEndpoints(t)
	var reg strings.Builder
	reg.WriteString(regHeader)
	for _, e := range eps {
		reg.WriteString(endpointReg(e, ""))
	}
	w.ImportRegistry(t, reg.String())
	got := wineDevices(t, w, cli)
	for _, e := range eps {
		d, ok := got[strings.ToUpper(e.ID())]
		if !ok {
			t.Errorf("%s: endpoint %s not listed (got %d devices)", e.Name, e.ID(), len(got))
			continue
		}
		if d.Kind != e.WantKind || d.Verdict != e.WantVerdict {
			t.Errorf("%s: kind %s verdict %s, want %s %s (as on Linux)", e.Name, d.Kind, d.Verdict, e.WantKind, e.WantVerdict)
		}
		wantDir := "output"
		if e.Flow == "Capture" {
			wantDir = "input"
		}
		if d.Direction != wantDir {
			t.Errorf("%s: direction %s, want %s", e.Name, d.Direction, wantDir)
		}
	}
	if d := got[strings.ToUpper(eps[0].ID())]; d.Bus != "usb" || d.USBVendor != "0b0e" {
		t.Errorf("USB headset: bus %q vendor %q, want usb 0b0e (from the instance path)", d.Bus, d.USBVendor)
	}
}
