package config

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"testing"
)

// The published JSON Schema (docs/policy.schema.json) must name exactly the
// keys the loader accepts and state the same defaults.
func TestSchemaMatchesPolicy(t *testing.T) {
	b, err := os.ReadFile("../../docs/policy.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	defB, _ := json.Marshal(DefaultPolicy())
	var defaults map[string]any
	_ = json.Unmarshal(defB, &defaults)
	var walk func(path string, s map[string]any, n *schemaNode, def any)
	walk = func(path string, s map[string]any, n *schemaNode, def any) {
		props, _ := s["properties"].(map[string]any)
		if n.fields == nil {
			return
		}
		var inSchema, inGo []string
		for k := range props {
			inSchema = append(inSchema, k)
		}
		for k := range n.fields {
			inGo = append(inGo, k)
		}
		sort.Strings(inSchema)
		sort.Strings(inGo)
		if !reflect.DeepEqual(inSchema, inGo) {
			t.Errorf("%s: schema keys %v, Go keys %v", path, inSchema, inGo)
			return
		}
		defMap, _ := def.(map[string]any)
		for k, sub := range props {
			subS := sub.(map[string]any)
			if want, ok := subS["default"]; ok && !reflect.DeepEqual(want, defMap[k]) {
				t.Errorf("%s.%s: schema default %v, DefaultPolicy %v", path, k, want, defMap[k])
			}
			walk(path+"."+k, subS, n.fields[k], defMap[k])
		}
	}
	walk("policy", schema, schemaOf(Policy{}), defaults)
}
