//go:build packaging

package pkgtest

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

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

// adml is one locale's homeshore.adml: its string and presentation tables.
type adml struct {
	XMLName       xml.Name
	Revision      string `xml:"revision,attr"`
	SchemaVersion string `xml:"schemaVersion,attr"`
	Strings       []struct {
		ID   string `xml:"id,attr"`
		Text string `xml:",chardata"`
	} `xml:"resources>stringTable>string"`
	Presentations []struct {
		ID       string    `xml:"id,attr"`
		Children []xmlNode `xml:",any"`
	} `xml:"resources>presentationTable>presentation"`
}

// xmlNode is any element with its attributes, text and children.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []xmlNode  `xml:",any"`
}

// shape describes an element without its translatable text: its name, its
// attributes (refId, defaultValue, defaultItem, noSort, spinStep…) and its
// children's shapes, in order. A <defaultValue> is a value the policy
// writes, not text, so it is part of the shape.
func (n xmlNode) shape() string {
	var b strings.Builder
	b.WriteString(n.XMLName.Local)
	if n.XMLName.Local == "defaultValue" {
		fmt.Fprintf(&b, " %q", strings.TrimSpace(n.Text))
	}
	attrs := slices.Clone(n.Attrs)
	slices.SortFunc(attrs, func(a, b xml.Attr) int { return strings.Compare(a.Name.Local, b.Name.Local) })
	for _, a := range attrs {
		fmt.Fprintf(&b, " %s=%q", a.Name.Local, a.Value)
	}
	if len(n.Children) > 0 {
		b.WriteString(" [")
		for i, c := range n.Children {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.shape())
		}
		b.WriteString("]")
	}
	return b.String()
}

func (l adml) stringIDs() []string {
	var ids []string
	for _, s := range l.Strings {
		ids = append(ids, s.ID)
	}
	return ids
}

func (l adml) presentationIDs() []string {
	var ids []string
	for _, p := range l.Presentations {
		ids = append(ids, p.ID)
	}
	return ids
}

// gpoDir holds homeshore.admx and one directory per locale (en-US, fr-FR…)
// with its homeshore.adml; packaging.mk copies it whole to dist.
const gpoDir = "../windows/gpo"

// gpoLocales reads every locale directory's homeshore.adml, by locale name.
func gpoLocales(t *testing.T) map[string]adml {
	t.Helper()
	entries, err := os.ReadDir(gpoDir)
	if err != nil {
		t.Fatal(err)
	}
	locales := map[string]adml{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		path := filepath.Join(gpoDir, e.Name(), "homeshore.adml")
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("locale %s: %v", e.Name(), err)
			continue
		}
		if !utf8.Valid(raw) {
			t.Errorf("%s is not UTF-8", path)
		}
		if !bytes.HasPrefix(raw, []byte(`<?xml version="1.0" encoding="utf-8"?>`)) {
			t.Errorf(`%s does not start with <?xml version="1.0" encoding="utf-8"?>`, path)
		}
		var l adml
		if err := xml.Unmarshal(raw, &l); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		locales[e.Name()] = l
	}
	for _, want := range []string{"en-US", "fr-FR"} {
		if _, ok := locales[want]; !ok {
			t.Fatalf("no %s/homeshore.adml in %s (the app's languages are English and French)", want, gpoDir)
		}
	}
	return locales
}

// missing returns what is in want but not in got.
func missing(want, got []string) []string {
	var m []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			m = append(m, w)
		}
	}
	return m
}

// duplicates returns the ids that occur more than once.
func duplicates(ids []string) []string {
	seen := map[string]int{}
	var d []string
	for _, id := range ids {
		if seen[id]++; seen[id] == 2 {
			d = append(d, id)
		}
	}
	return d
}

// TestGroupPolicyTemplateMatchesManagedValues keeps the ADMX template on the
// registry values app/managed reads, and its text references resolved by
// every locale's ADML.
func TestGroupPolicyTemplateMatchesManagedValues(t *testing.T) {
	rawADMX, err := os.ReadFile(filepath.Join(gpoDir, "homeshore.admx"))
	if err != nil {
		t.Fatal(err)
	}
	var x admx
	if err := xml.Unmarshal(rawADMX, &x); err != nil {
		t.Fatalf("homeshore.admx: %v", err)
	}
	locales := gpoLocales(t)
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
	refs := regexp.MustCompile(`\$\((string|presentation)\.([A-Za-z_]+)\)`).FindAllStringSubmatch(string(rawADMX), -1)
	if len(refs) == 0 {
		t.Fatal("homeshore.admx refers to no string or presentation")
	}
	for _, locale := range slices.Sorted(maps.Keys(locales)) {
		l := locales[locale]
		ids, presentations := l.stringIDs(), l.presentationIDs()
		for _, m := range refs {
			table := ids
			if m[1] == "presentation" {
				table = presentations
			}
			if !slices.Contains(table, m[2]) {
				t.Errorf("homeshore.admx refers to %s.%s, which %s/homeshore.adml does not define", m[1], m[2], locale)
			}
		}
	}
}

// TestGroupPolicyLocalesMatchEnglish: every locale's ADML (fr-FR…) defines
// exactly en-US's strings and presentations, none of them empty, and each
// presentation has en-US's controls in en-US's order with the same refId
// and settings (defaultItem, defaultValue, spinStep…); only the text differs.
// A string or control missing from one language would show the raw id, or
// fail to load, on an administrator's computer in that language.
func TestGroupPolicyLocalesMatchEnglish(t *testing.T) {
	locales := gpoLocales(t)
	en := locales["en-US"]
	enStrings, enPresentations := en.stringIDs(), en.presentationIDs()
	enShapes := map[string][]string{}
	for _, p := range en.Presentations {
		for _, c := range p.Children {
			enShapes[p.ID] = append(enShapes[p.ID], c.shape())
		}
	}
	for _, locale := range slices.Sorted(maps.Keys(locales)) {
		l := locales[locale]
		file := locale + "/homeshore.adml"
		if l.XMLName != en.XMLName {
			t.Errorf("%s: root element %v, want %v", file, l.XMLName, en.XMLName)
		}
		if l.Revision != en.Revision || l.SchemaVersion != en.SchemaVersion {
			t.Errorf("%s: revision %q schemaVersion %q, want %q %q as en-US", file, l.Revision, l.SchemaVersion, en.Revision, en.SchemaVersion)
		}
		ids, presentations := l.stringIDs(), l.presentationIDs()
		if d := duplicates(ids); d != nil {
			t.Errorf("%s: string ids defined twice: %v", file, d)
		}
		if d := duplicates(presentations); d != nil {
			t.Errorf("%s: presentation ids defined twice: %v", file, d)
		}
		if m := missing(enStrings, ids); m != nil {
			t.Errorf("%s: missing string ids %v (defined in en-US)", file, m)
		}
		if m := missing(ids, enStrings); m != nil {
			t.Errorf("%s: string ids %v are not in en-US", file, m)
		}
		if m := missing(enPresentations, presentations); m != nil {
			t.Errorf("%s: missing presentation ids %v (defined in en-US)", file, m)
		}
		if m := missing(presentations, enPresentations); m != nil {
			t.Errorf("%s: presentation ids %v are not in en-US", file, m)
		}
		for _, s := range l.Strings {
			if strings.TrimSpace(s.Text) == "" {
				t.Errorf("%s: string %s is empty", file, s.ID)
			}
		}
		for _, p := range l.Presentations {
			want, ok := enShapes[p.ID]
			if !ok {
				continue // reported above
			}
			var got []string
			for _, c := range p.Children {
				got = append(got, c.shape())
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: presentation %s has\n\t%s\nwant (as en-US)\n\t%s", file, p.ID, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
			}
		}
	}
}

// TestGroupPolicySettingsFollowTheSchema: each Group Policy setting offers
// what the policy key accepts, so a GPO can never write a value the app then
// refuses: a boolean key is an enabled (1) / disabled (0) policy, an enum a
// drop-down of exactly the schema's values, an integer a number box with the
// schema's range, anything else a text box.
func TestGroupPolicySettingsFollowTheSchema(t *testing.T) {
	rawADMX, err := os.ReadFile(filepath.Join(gpoDir, "homeshore.admx"))
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
