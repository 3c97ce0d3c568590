//go:build packaging

package pkgtest

import (
	"encoding/xml"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/homeshore/homeshore/app/managed"
)

type admx struct {
	Policies []struct {
		Name      string `xml:"name,attr"`
		Key       string `xml:"key,attr"`
		ValueName string `xml:"valueName,attr"`
		Elements  struct {
			Items []struct {
				ValueName string `xml:"valueName,attr"`
			} `xml:",any"`
		} `xml:"elements"`
	} `xml:"policies>policy"`
}

type adml struct {
	Strings []struct {
		ID string `xml:"id,attr"`
	} `xml:"resources>stringTable>string"`
	Presentations []struct {
		ID string `xml:"id,attr"`
	} `xml:"resources>presentationTable>presentation"`
}

// TestGroupPolicyTemplateMatchesManagedValues keeps the ADMX template on the
// registry values app/managed reads, and its text references resolved by the ADML.
func TestGroupPolicyTemplateMatchesManagedValues(t *testing.T) {
	rawADMX, err := os.ReadFile("../windows/gpo/homeshore.admx")
	if err != nil {
		t.Fatal(err)
	}
	rawADML, err := os.ReadFile("../windows/gpo/en-US/homeshore.adml")
	if err != nil {
		t.Fatal(err)
	}
	var x admx
	if err := xml.Unmarshal(rawADMX, &x); err != nil {
		t.Fatalf("homeshore.admx: %v", err)
	}
	var l adml
	if err := xml.Unmarshal(rawADML, &l); err != nil {
		t.Fatalf("homeshore.adml: %v", err)
	}
	known := managed.ValueNames()
	var covered []string
	for _, p := range x.Policies {
		if p.Key != `Software\Policies\Homeshore` {
			t.Errorf("policy %s writes %s, want Software\\Policies\\Homeshore", p.Name, p.Key)
		}
		names := []string{p.ValueName}
		for _, e := range p.Elements.Items {
			names = append(names, e.ValueName)
		}
		for _, n := range names {
			if n == "" {
				continue
			}
			if !slices.Contains(known, n) {
				t.Errorf("policy %s writes %s, which app/managed does not read", p.Name, n)
			}
			covered = append(covered, n)
		}
	}
	for _, n := range known {
		if n != managed.PolicyJSONValue && !slices.Contains(covered, n) {
			t.Errorf("no Group Policy setting for registry value %s", n)
		}
	}
	var ids, presentations []string
	for _, s := range l.Strings {
		ids = append(ids, s.ID)
	}
	for _, p := range l.Presentations {
		presentations = append(presentations, p.ID)
	}
	for _, m := range regexp.MustCompile(`\$\((string|presentation)\.([A-Za-z_]+)\)`).FindAllStringSubmatch(string(rawADMX), -1) {
		table := ids
		if m[1] == "presentation" {
			table = presentations
		}
		if !slices.Contains(table, m[2]) {
			t.Errorf("homeshore.admx refers to %s.%s, which homeshore.adml does not define", m[1], m[2])
		}
	}
}
