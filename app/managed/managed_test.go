package managed

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, b)
	}
	return m
}

func TestDocumentFromMSIProperties(t *testing.T) {
	// What `msiexec /i homeshore.msi SIP_SERVER=... BACKEND_URL=... ALLOW_OVERRIDE=0` leaves in the registry.
	doc, err := Document(map[string]any{
		"SipServer":       "sip.corp.example",
		"SipTransport":    "tls",
		"SipSrtp":         "mandatory",
		"BackendUrl":      "https://tickets.corp.example/api",
		"Codecs":          "opus, pcma",
		"SipExpires":      " 600 ",
		"SipKeepAlive":    "0", // keepalive off: a value, not a blank
		"MandatoryChecks": "headset,network",
		"AllowOverride":   "0",
		"Language":        "", // blank MSI property: sets nothing
		"Unknown":         "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sip": map[string]any{"server": "sip.corp.example", "transport": "tls", "srtp": "mandatory", "codecs": []any{"opus", "pcma"},
			"expires_s": float64(600), "keepalive_s": float64(0)},
		"backend": map[string]any{"url": "https://tickets.corp.example/api"},
		"checks":  map[string]any{"mandatory": []any{"headset", "network"}, "allow_override": false},
	}
	if got := decode(t, doc); !reflect.DeepEqual(got, want) {
		t.Fatalf("Document =\n%v\nwant\n%v", got, want)
	}
}

// TestDocumentRegistrationTimingFromGroupPolicy: the GPO template writes
// the registration lifetime and keepalive as REG_DWORD; an MSI property
// left blank sets nothing.
func TestDocumentRegistrationTimingFromGroupPolicy(t *testing.T) {
	doc, err := Document(map[string]any{"SipExpires": uint64(900), "SipKeepAlive": uint64(15), "SipServer": "pbx.corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	sip := decode(t, doc)["sip"].(map[string]any)
	if sip["expires_s"] != float64(900) || sip["keepalive_s"] != float64(15) {
		t.Fatalf("Document = %s", doc)
	}
	doc, err = Document(map[string]any{"SipExpires": "", "SipKeepAlive": "  ", "SipServer": "pbx.corp.example"})
	if err != nil {
		t.Fatal(err)
	}
	if sip := decode(t, doc)["sip"].(map[string]any); len(sip) != 1 {
		t.Fatalf("blank properties set %v", sip)
	}
}

func TestDocumentNamedValuesBeatPolicyJSON(t *testing.T) {
	doc, err := Document(map[string]any{
		PolicyJSONValue: `{"sip":{"server":"old.example","transport":"udp"},"checks":{"room":{"max_dba":45}}}`,
		"SipServer":     "new.example",
		"AllowOverride": uint64(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, doc)
	sip := got["sip"].(map[string]any)
	checks := got["checks"].(map[string]any)
	if sip["server"] != "new.example" || sip["transport"] != "udp" || checks["allow_override"] != true || checks["room"] == nil {
		t.Fatalf("Document = %v", got)
	}
}

func TestDocumentNothingSetIsNotManaged(t *testing.T) {
	for _, values := range []map[string]any{nil, {"SipServer": "  "}} {
		if _, err := Document(values); !errors.Is(err, ErrNotManaged) {
			t.Errorf("Document(%v): err = %v, want ErrNotManaged", values, err)
		}
	}
}

func TestDocumentRejectsBadValues(t *testing.T) {
	for name, values := range map[string]map[string]any{
		"flag text":    {"AllowOverride": "maybe"},
		"dword string": {"SipServer": uint64(3)},
		"words":        {"SipExpires": "five minutes"},
		"negative":     {"SipKeepAlive": "-30"},
		"huge dword":   {"SipExpires": uint64(1) << 40},
		"policy json":  {PolicyJSONValue: "{not json"},
	} {
		if _, err := Document(values); !errors.Is(err, ErrBadValue) {
			t.Errorf("%s: err = %v, want ErrBadValue", name, err)
		}
	}
}

func TestOverlayPrecedence(t *testing.T) {
	agent := []byte(`{"sip":{"server":"agent.example","transport":"udp"},"ui":{"language":"fr"}}`)
	file := []byte(`{"sip":{"server":"file.example","codecs":["pcmu"]},"checks":{"allow_override":true}}`)
	registry, err := Document(map[string]any{"SipServer": "gpo.example", "AllowOverride": uint64(0)})
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Overlay(agent, file, nil, registry)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"sip":    map[string]any{"server": "gpo.example", "transport": "udp", "codecs": []any{"pcmu"}},
		"ui":     map[string]any{"language": "fr"},
		"checks": map[string]any{"allow_override": false},
	}
	if got := decode(t, merged); !reflect.DeepEqual(got, want) {
		t.Fatalf("Overlay =\n%v\nwant\n%v", got, want)
	}
}
