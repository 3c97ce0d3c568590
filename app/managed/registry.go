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

// field maps one registry value to a dotted policy path. msi is the MSI public
// property that writes the value (the same name Group Policy writes); example
// is a REG_SZ value IT could set, for docs and tests.
type field struct {
	name    string
	path    string
	kind    kind
	msi     string
	example string
}

// fields lists the registry values IT can set, one line per policy key. A new
// line also needs the MSI property (packaging/windows/homeshore.wxs) and a
// Group Policy setting (packaging/windows/gpo); packaging/pkgtest checks both.
// Policy keys without a line are listed in policyJSONOnly with the reason.
func fields() []field {
	return []field{
		{"SipServer", "sip.server", text, "SIP_SERVER", "sip.corp.example"},
		{"SipTransport", "sip.transport", text, "SIP_TRANSPORT", "tls"},
		{"SipSrtp", "sip.srtp", text, "SIP_SRTP", "mandatory"},
		{"OutboundProxy", "sip.outbound_proxy", text, "OUTBOUND_PROXY", "sbc.corp.example:5061"},
		{"Codecs", "sip.codecs", list, "CODECS", "opus,pcma"},
		{"SipExpires", "sip.expires_s", number, "SIP_EXPIRES", "600"},
		{"SipKeepAlive", "sip.keepalive_s", number, "SIP_KEEPALIVE", "30"},
		{"SipPresence", "sip.presence", flag, "SIP_PRESENCE", "0"},
		{"BackendUrl", "backend.url", text, "BACKEND_URL", "https://tickets.corp.example/api"},
		{"MandatoryChecks", "checks.mandatory", list, "MANDATORY_CHECKS", "headset,leak,network"},
		{"AllowOverride", "checks.allow_override", flag, "ALLOW_OVERRIDE", "1"},
		{"UpdateManifestUrl", "update.manifest_url", text, "UPDATE_URL", "https://updates.corp.example/homeshore/manifest.json"},
		{"UpdatePublicKey", "update.public_key", text, "UPDATE_PUBLIC_KEY", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="},
		{"UpdateAutoInstall", "update.auto_install", flag, "UPDATE_AUTO_INSTALL", "1"},
		{"Language", "ui.language", text, "LANGUAGE", "fr"},
		{"MonitoringEnabled", "monitoring.enabled", flag, "MONITORING_ENABLED", "0"},
		{"MonitoringGrantKeys", "monitoring.grant_public_keys", list, "MONITORING_GRANT_KEYS", "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=,PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw="},
		{"PhoneRegion", "shift.phone_region", text, "PHONE_REGION", "FR"},
		{"MissedCallNotReady", "shift.missed_call_not_ready", flag, "MISSED_CALL_NOT_READY", "0"},
		{"AudioNoiseSuppression", "audio.noise_suppression", text, "AUDIO_NOISE_SUPPRESSION", "off"},
		{"AudioAgc", "audio.agc", text, "AUDIO_AGC", "off"},
		{"AudioEchoCancel", "audio.echo_cancel", text, "AUDIO_ECHO_CANCEL", "on"},
	}
}

// Setting is one registry value IT can set and where it lands in the policy.
type Setting struct {
	Value       string // registry value name under RegistryKey
	Key         string // dotted policy key
	MSIProperty string // the MSI's public property writing Value
	Example     string // a REG_SZ value IT could set
}

// Settings lists the registry values app/managed reads (PolicyJSON aside), for docs and tests.
func Settings() []Setting {
	var out []Setting
	for _, f := range fields() {
		out = append(out, Setting{Value: f.name, Key: f.path, MSIProperty: f.msi, Example: f.example})
	}
	return out
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
