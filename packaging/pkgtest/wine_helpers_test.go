//go:build packaging

package pkgtest

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/internal/testenv"
)

// mmdevices is the registry tree of Windows' audio endpoints.
const mmdevices = `HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\MMDevices\Audio`

// Endpoint property keys as the MMDevices tree names its values.
const (
	pkeyFormFactor   = "{1da5d803-d492-4edd-8c23-e0c0ffee7f0e},0"
	pkeyDeviceDesc   = "{a45c254e-df1c-4efd-8020-67d146a850e0},2"
	pkeyFriendlyName = "{a45c254e-df1c-4efd-8020-67d146a850e0},14"
	pkeyInterface    = "{026e516e-b814-414b-83cd-856d6fef4822},2"
	pkeyInstancePath = "{b3f8fa53-0004-438e-9003-51a46e139bfc},2"
)

// recordedEndpoint is one endpoint property set of testdata/windows-endpoints.json.
type recordedEndpoint struct {
	Name         string `json:"name"`
	Flow         string `json:"flow"`
	GUID         string `json:"guid"`
	FormFactor   uint32 `json:"form_factor"`
	Desc         string `json:"desc"`
	Interface    string `json:"interface"`
	InstancePath string `json:"instance_path"`
	WantKind     string `json:"want_kind"`
	WantVerdict  string `json:"want_verdict"`
}

// ID is the endpoint id Windows gives it (IMMDevice::GetId).
func (e recordedEndpoint) ID() string {
	if e.Flow == "Capture" {
		return "{0.0.1.00000000}." + e.GUID
	}
	return "{0.0.0.00000000}." + e.GUID
}

func recordedEndpoints(t *testing.T) []recordedEndpoint {
	t.Helper()
	b, err := os.ReadFile("testdata/windows-endpoints.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Endpoints []recordedEndpoint `json:"endpoints"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Endpoints
}

// endpointReg is the .reg text that makes an endpoint active with e's
// recorded properties under guid (e.GUID when empty).
func endpointReg(e recordedEndpoint, guid string) string {
	if guid == "" {
		guid = e.GUID
	}
	key := mmdevices + `\` + e.Flow + `\` + guid
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\n\"DeviceState\"=%s\n\n[%s\\Properties]\n", key, testenv.RegDword(1), key)
	fmt.Fprintf(&b, "%s=%s\n", testenv.RegString(pkeyFormFactor), testenv.RegDword(e.FormFactor))
	fmt.Fprintf(&b, "%s=%s\n", testenv.RegString(pkeyDeviceDesc), testenv.RegString(e.Desc))
	fmt.Fprintf(&b, "%s=%s\n", testenv.RegString(pkeyInterface), testenv.RegString(e.Interface))
	fmt.Fprintf(&b, "%s=%s\n", testenv.RegString(pkeyFriendlyName), testenv.RegString(e.Desc+" ("+e.Interface+")"))
	fmt.Fprintf(&b, "%s=%s\n\n", testenv.RegString(pkeyInstancePath), testenv.RegString(e.InstancePath))
	return b.String()
}

const regHeader = "Windows Registry Editor Version 5.00\n\n"

// deviceVerdict is the part of `devices --json` the tests compare.
type deviceVerdict struct {
	ID          string `json:"id"`
	Description string `json:"description"`
	Direction   string `json:"direction"`
	Bus         string `json:"bus"`
	Kind        string `json:"kind"`
	Verdict     string `json:"verdict"`
	Default     bool   `json:"default"`
	USBVendor   string `json:"usb_vendor"`
}

// wineDevices runs homeshore-cli.exe devices --json in w.
func wineDevices(t *testing.T, w *testenv.Wine, cli string) map[string]deviceVerdict {
	t.Helper()
	out, errOut, code := w.Run(t, cli, "devices", "--json")
	if code != 0 {
		t.Fatalf("devices --json: exit %d\n%s", code, errOut)
	}
	var devs []deviceVerdict
	if err := json.Unmarshal([]byte(out), &devs); err != nil {
		t.Fatalf("devices --json is not JSON: %v\n%s", err, out)
	}
	byID := map[string]deviceVerdict{}
	for _, d := range devs {
		byID[strings.ToUpper(d.ID)] = d
	}
	return byID
}
