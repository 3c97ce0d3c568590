//go:build packaging

package pkgtest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/managed"
)

type admxPolicy struct {
	Name         string    `xml:"name,attr"`
	Key          string    `xml:"key,attr"`
	ValueName    string    `xml:"valueName,attr"`
	EnabledValue *admxWord `xml:"enabledValue>decimal"`
	Disabled     *admxWord `xml:"disabledValue>decimal"`
	Elements     struct {
		Items []struct {
			XMLName   xml.Name
			ValueName string `xml:"valueName,attr"`
			MinValue  string `xml:"minValue,attr"`
			MaxValue  string `xml:"maxValue,attr"`
			Items     []struct {
				Value string `xml:"value>string"`
			} `xml:"item"`
		} `xml:",any"`
	} `xml:"elements"`
}

type admxWord struct {
	Value string `xml:"value,attr"`
}

type admx struct {
	Policies []admxPolicy `xml:"policies>policy"`
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

// TestGroupPolicySettingsFollowTheSchema: each Group Policy setting offers
// what the policy key accepts, so a GPO can never write a value the app then
// refuses: a boolean key is an enabled (1) / disabled (0) policy, an enum a
// drop-down of exactly the schema's values, an integer a number box with the
// schema's range, anything else a text box.
func TestGroupPolicySettingsFollowTheSchema(t *testing.T) {
	rawADMX, err := os.ReadFile("../windows/gpo/homeshore.admx")
	if err != nil {
		t.Fatal(err)
	}
	var x admx
	if err := xml.Unmarshal(rawADMX, &x); err != nil {
		t.Fatalf("homeshore.admx: %v", err)
	}
	rawSchema, err := os.ReadFile("../../docs/policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(rawSchema, &schema); err != nil {
		t.Fatal(err)
	}
	node := func(key string) map[string]any {
		n := schema
		for part := range strings.SplitSeq(key, ".") {
			props, _ := n["properties"].(map[string]any)
			n, _ = props[part].(map[string]any)
		}
		return n
	}
	keyOf := map[string]string{}
	for _, s := range managed.Settings() {
		keyOf[s.Value] = s.Key
	}
	for _, p := range x.Policies {
		if p.ValueName != "" { // a policy-level value: on/off
			key := keyOf[p.ValueName]
			if typ, _ := node(key)["type"].(string); typ != "boolean" {
				t.Errorf("GPO %s is an on/off policy but %s is a %s", p.Name, key, typ)
			}
			if p.EnabledValue == nil || p.EnabledValue.Value != "1" || p.Disabled == nil || p.Disabled.Value != "0" {
				t.Errorf("GPO %s must write 1 when enabled and 0 when disabled", p.Name)
			}
			continue
		}
		for _, e := range p.Elements.Items {
			if e.ValueName == managed.PolicyJSONValue {
				if e.XMLName.Local != "text" {
					t.Errorf("GPO %s: PolicyJSON is a %s, want text", p.Name, e.XMLName.Local)
				}
				continue
			}
			key, ok := keyOf[e.ValueName]
			if !ok {
				continue // TestGroupPolicyTemplateMatchesManagedValues reports it
			}
			n := node(key)
			typ, _ := n["type"].(string)
			switch enum, _ := n["enum"].([]any); {
			case enum != nil:
				var want, got []string
				for _, v := range enum {
					want = append(want, v.(string))
				}
				for _, it := range e.Items {
					got = append(got, it.Value)
				}
				if e.XMLName.Local != "enum" || !slices.Equal(got, want) {
					t.Errorf("GPO %s: %s %v, want a drop-down of %v (%s)", p.Name, e.XMLName.Local, got, want, key)
				}
			case typ == "integer":
				lo, hi := fmt.Sprint(n["minimum"]), fmt.Sprint(n["maximum"])
				if e.XMLName.Local != "decimal" || e.MinValue != lo || e.MaxValue != hi {
					t.Errorf("GPO %s: %s %s..%s, want a decimal %s..%s (%s)", p.Name, e.XMLName.Local, e.MinValue, e.MaxValue, lo, hi, key)
				}
			case typ == "boolean":
				t.Errorf("GPO %s: %s is a boolean: make it an on/off policy (valueName, enabledValue 1, disabledValue 0)", p.Name, key)
			default:
				if e.XMLName.Local != "text" {
					t.Errorf("GPO %s: %s, want a text box (%s)", p.Name, e.XMLName.Local, key)
				}
			}
		}
	}
}
