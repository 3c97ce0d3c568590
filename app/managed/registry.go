// Package managed turns the IT-managed values under HKLM\Software\Policies\Homeshore
// (written by the MSI's public properties or by Group Policy) into a policy
// document with the same JSON keys as the policy file, and overlays policy
// sources in order of precedence.
package managed

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// RegistryKey is the machine-wide policy key, relative to HKEY_LOCAL_MACHINE.
const RegistryKey = `SOFTWARE\Policies\Homeshore`

// PolicyJSONValue holds a whole policy document (for settings without a value of
// their own, such as check thresholds); the named values below override it.
const PolicyJSONValue = "PolicyJSON"

type kind int

const (
	text   kind = iota
	list        // comma-separated
	flag        // 1/0, true/false, yes/no, or a REG_DWORD
	number      // a whole number: digits in a REG_SZ, or a REG_DWORD
)

// field maps one registry value to a dotted policy path.
type field struct {
	name string
	path string
	kind kind
}

// fields lists the registry values IT can set; the MSI's public properties write the same names.
func fields() []field {
	return []field{
		{"SipServer", "sip.server", text},
		{"SipTransport", "sip.transport", text},
		{"SipSrtp", "sip.srtp", text},
		{"OutboundProxy", "sip.outbound_proxy", text},
		{"Codecs", "sip.codecs", list},
		{"SipExpires", "sip.expires_s", number},
		{"SipKeepAlive", "sip.keepalive_s", number},
		{"BackendUrl", "backend.url", text},
		{"MandatoryChecks", "checks.mandatory", list},
		{"AllowOverride", "checks.allow_override", flag},
		{"UpdateManifestUrl", "update.manifest_url", text},
		{"UpdatePublicKey", "update.public_key", text},
		{"UpdateAutoInstall", "update.auto_install", flag},
		{"Language", "ui.language", text},
	}
}

// ValueNames returns the registry value names Document understands, for docs and tests.
func ValueNames() []string {
	var names []string
	for _, f := range fields() {
		names = append(names, f.name)
	}
	return append(names, PolicyJSONValue)
}

// Document builds a policy document from registry values: strings (REG_SZ) or
// integers (REG_DWORD) by value name. Empty strings are skipped, so an MSI
// property left blank sets nothing. Unknown names are ignored.
func Document(values map[string]any) ([]byte, error) {
	doc := map[string]any{}
	if raw, ok := values[PolicyJSONValue].(string); ok && strings.TrimSpace(raw) != "" {
		if err := json.Unmarshal([]byte(raw), &doc); err != nil {
			return nil, fmt.Errorf("%w %s: not a JSON object (%v): fix or delete it", ErrBadValue, PolicyJSONValue, err)
		}
	}
	for _, f := range fields() {
		v, ok := values[f.name]
		if !ok {
			continue
		}
		val, set, err := convert(f, v)
		if err != nil {
			return nil, err
		}
		if set {
			setPath(doc, f.path, val)
		}
	}
	if len(doc) == 0 {
		return nil, ErrNotManaged
	}
	return json.Marshal(doc)
}

func convert(f field, v any) (any, bool, error) {
	switch v := v.(type) {
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return nil, false, nil
		}
		switch f.kind {
		case list:
			var items []string
			for item := range strings.SplitSeq(s, ",") {
				if item = strings.TrimSpace(item); item != "" {
					items = append(items, item)
				}
			}
			return items, true, nil
		case flag:
			switch strings.ToLower(s) {
			case "1", "true", "yes":
				return true, true, nil
			case "0", "false", "no":
				return false, true, nil
			}
			return nil, false, fmt.Errorf("%w %s=%q: use 1 or 0", ErrBadValue, f.name, s)
		case number:
			n, err := strconv.ParseUint(s, 10, 31)
			if err != nil {
				return nil, false, fmt.Errorf("%w %s=%q: use a whole number of seconds, e.g. 300", ErrBadValue, f.name, s)
			}
			return n, true, nil
		}
		return s, true, nil
	case uint64:
		switch f.kind {
		case flag:
			return v != 0, true, nil
		case number:
			if v > 1<<31-1 {
				return nil, false, fmt.Errorf("%w %s=%d: too large", ErrBadValue, f.name, v)
			}
			return v, true, nil
		}
	}
	want := "REG_SZ"
	if f.kind == flag || f.kind == number {
		want = "REG_SZ or REG_DWORD"
	}
	return nil, false, fmt.Errorf("%w %s: unexpected type %T (use %s)", ErrBadValue, f.name, v, want)
}

func setPath(doc map[string]any, path string, val any) {
	keys := strings.Split(path, ".")
	m := doc
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = val
}
