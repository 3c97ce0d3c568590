package managed_test

import (
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/managed"
)

// schemaKey is one settable policy key of docs/policy.schema.json: the unit
// config.Policy.Locked works on (objects with properties recurse; arrays and
// maps such as checks.calibration are one key).
type schemaKey struct {
	key    string
	schema map[string]any
}

func schemaKeys(t *testing.T) []schemaKey {
	t.Helper()
	b, err := os.ReadFile("../../docs/policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		t.Fatalf("policy.schema.json: %v", err)
	}
	var out []schemaKey
	var walk func(prefix string, s map[string]any)
	walk = func(prefix string, s map[string]any) {
		props, ok := s["properties"].(map[string]any)
		if !ok {
			out = append(out, schemaKey{prefix, s})
			return
		}
		for name, sub := range props {
			key := name
			if prefix != "" {
				key = prefix + "." + name
			}
			walk(key, sub.(map[string]any))
		}
	}
	walk("", root)
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	if len(out) < 40 {
		t.Fatalf("only %d keys found in the schema: the walk is broken", len(out))
	}
	return out
}

// TestEveryPolicyKeyHasAWindowsRoute: each key IT can put in the policy file
// either has a registry value of its own (MSI property, Group Policy setting)
// or is listed as PolicyJSON-only with the reason. A key added to the schema
// without either fails here, as does a mapping or a listing for a key the
// schema no longer has, or a key both mapped and listed.
func TestEveryPolicyKeyHasAWindowsRoute(t *testing.T) {
	mapped := map[string]managed.Setting{}
	for _, s := range managed.Settings() {
		if _, dup := mapped[s.Key]; dup {
			t.Errorf("%s is mapped twice", s.Key)
		}
		mapped[s.Key] = s
	}
	only := managed.PolicyJSONOnly()
	inSchema := map[string]bool{}
	for _, k := range schemaKeys(t) {
		inSchema[k.key] = true
		_, isMapped := mapped[k.key]
		reason, isListed := only[k.key]
		switch {
		case isMapped && isListed:
			t.Errorf("%s is both mapped to %s and listed as PolicyJSON-only", k.key, mapped[k.key].Value)
		case !isMapped && !isListed:
			t.Errorf("policy key %s has no Windows registry value: add it to fields() in app/managed/registry.go "+
				"(with its MSI property and Group Policy setting), or list it in app/managed/jsononly.go with the reason", k.key)
		case isListed && strings.TrimSpace(reason) == "":
			t.Errorf("%s is PolicyJSON-only without a reason", k.key)
		}
	}
	for k, s := range mapped {
		if !inSchema[k] {
			t.Errorf("registry value %s maps to %s, which the policy schema does not have", s.Value, k)
		}
	}
	for k := range only {
		if !inSchema[k] {
			t.Errorf("%s is listed as PolicyJSON-only but the policy schema does not have it", k)
		}
	}
}

// TestEveryRegistryValueLocksItsKey sets each registry value to its example,
// as the MSI property or Group Policy would, and loads the result with the
// app's own policy loader: the value must pass validation and lock exactly
// its key, with the type the schema states (a flag for a boolean, a comma
// list for an array, digits for an integer).
func TestEveryRegistryValueLocksItsKey(t *testing.T) {
	types := map[string]string{}
	for _, k := range schemaKeys(t) {
		typ, _ := k.schema["type"].(string)
		if typ == "" && k.schema["enum"] != nil {
			typ = "string"
		}
		types[k.key] = typ
	}
	for _, s := range managed.Settings() {
		if s.MSIProperty == "" || s.Example == "" {
			t.Errorf("%s: no MSI property or example", s.Value)
			continue
		}
		doc, err := managed.Document(map[string]any{s.Value: s.Example})
		if err != nil {
			t.Errorf("%s=%q: %v", s.Value, s.Example, err)
			continue
		}
		p, err := config.ParsePolicy(`HKLM\`+managed.RegistryKey, doc)
		if err != nil {
			t.Errorf("%s=%q gives a policy the app refuses: %v", s.Value, s.Example, err)
			continue
		}
		if got := p.LockedKeys(); !slices.Equal(got, []string{s.Key}) {
			t.Errorf("%s=%q locks %v, want [%s]", s.Value, s.Example, got, s.Key)
		}
		var m map[string]any
		_ = json.Unmarshal(doc, &m)
		v := lookup(m, s.Key)
		want := types[s.Key]
		var got string
		switch v.(type) {
		case bool:
			got = "boolean"
		case []any:
			got = "array"
		case float64:
			got = "integer"
		case string:
			got = "string"
		}
		if got != want {
			t.Errorf("%s gives %s a %s (%v), schema says %s", s.Value, s.Key, got, v, want)
		}
	}
}

// TestFlagsAcceptDWORDAndText: what Group Policy writes (REG_DWORD 0/1) and
// what an MSI property writes (text) mean the same for every boolean key.
func TestFlagsAcceptDWORDAndText(t *testing.T) {
	for _, s := range managed.Settings() {
		doc, err := managed.Document(map[string]any{s.Value: s.Example})
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(doc, &m)
		if _, ok := lookup(m, s.Key).(bool); !ok {
			continue
		}
		for raw, want := range map[any]bool{uint64(0): false, uint64(1): true, "0": false, "yes": true} {
			doc, err := managed.Document(map[string]any{s.Value: raw})
			if err != nil {
				t.Errorf("%s=%v: %v", s.Value, raw, err)
				continue
			}
			_ = json.Unmarshal(doc, &m)
			if got := lookup(m, s.Key); got != want {
				t.Errorf("%s=%v gives %s=%v, want %v", s.Value, raw, s.Key, got, want)
			}
		}
	}
}

func lookup(m map[string]any, key string) any {
	var v any = m
	for part := range strings.SplitSeq(key, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[part]
	}
	return v
}

// TestPackagingDocListsEveryValue: docs/packaging.md's table names each MSI
// property with its registry value and policy key.
func TestPackagingDocListsEveryValue(t *testing.T) {
	b, err := os.ReadFile("../../docs/packaging.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for _, s := range managed.Settings() {
		row := "| `" + s.MSIProperty + "` | `" + s.Value + "`"
		i := strings.Index(doc, row)
		if i < 0 {
			t.Errorf("docs/packaging.md has no row %s", row)
			continue
		}
		line := doc[i:]
		line = line[:strings.IndexByte(line, '\n')]
		if !strings.Contains(line, "`"+s.Key+"`") {
			t.Errorf("docs/packaging.md row %q does not name %s", line, s.Key)
		}
	}
}
