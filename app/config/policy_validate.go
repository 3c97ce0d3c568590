package config

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// schemaNode mirrors the Go struct tree: object fields, map values, or a leaf.
type schemaNode struct {
	fields map[string]*schemaNode // for structs
	elem   *schemaNode            // for maps with free keys
}

func schemaOf(v any) *schemaNode { return schemaForType(reflect.TypeOf(v)) }

func schemaForType(t reflect.Type) *schemaNode {
	switch t.Kind() {
	case reflect.Struct:
		n := &schemaNode{fields: map[string]*schemaNode{}}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("json"), ",")[0]
			if !f.IsExported() || tag == "" || tag == "-" {
				continue
			}
			n.fields[tag] = schemaForType(f.Type)
		}
		return n
	case reflect.Map:
		return &schemaNode{elem: schemaForType(t.Elem())}
	default:
		return &schemaNode{}
	}
}

// checkKeys rejects unknown keys with their full dotted path and records every
// leaf key present (the locked set; objects are not locked themselves).
func checkKeys(file, prefix string, v any, n *schemaNode, locked map[string]bool) error {
	obj, ok := v.(map[string]any)
	if !ok || (n.fields == nil && n.elem == nil) {
		return nil
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		child := n.elem
		if n.fields != nil {
			child = n.fields[k]
			if child == nil {
				return &PolicyError{Path: file, Key: path, Msg: "unknown key (check its spelling against docs/policy.md)"}
			}
		}
		if _, isObj := obj[k].(map[string]any); !isObj {
			locked[path] = true
		}
		if err := checkKeys(file, path, obj[k], child, locked); err != nil {
			return err
		}
	}
	return nil
}

var usbIDRe = regexp.MustCompile(`^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$`)

func (p *Policy) validate() error {
	bad := func(key, format string, a ...any) error {
		return &PolicyError{Path: p.source, Key: key, Msg: fmt.Sprintf(format, a...)}
	}
	switch p.SIP.Transport {
	case "udp", "tcp", "tls":
	default:
		return bad("sip.transport", "must be udp, tcp or tls, not %q", p.SIP.Transport)
	}
	switch p.SIP.SRTP {
	case "off", "optional", "mandatory":
	default:
		return bad("sip.srtp", "must be off, optional or mandatory, not %q", p.SIP.SRTP)
	}
	if p.SIP.ExpiresS < 60 || p.SIP.ExpiresS > 3600 {
		return bad("sip.expires_s", "%d is out of range [60, 3600]", p.SIP.ExpiresS)
	}
	if k := p.SIP.KeepAliveS; k != 0 && (k < 5 || k > 300) {
		return bad("sip.keepalive_s", "%d is out of range [5, 300] (0 turns it off)", k)
	}
	for _, c := range p.SIP.Codecs {
		switch c {
		case "opus", "pcmu", "pcma":
		default:
			return bad("sip.codecs", "unknown codec %q (opus, pcmu, pcma)", c)
		}
	}
	if p.Backend.URL != "" {
		if u, err := url.Parse(p.Backend.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("backend.url", "must be an http(s) URL, not %q", p.Backend.URL)
		}
	}
	if k := p.Update.PublicKey; k != "" {
		if b, err := base64.StdEncoding.DecodeString(k); err != nil || len(b) != 32 {
			return bad("update.public_key", "must be a base64 ed25519 public key (32 bytes)")
		}
	}
	for _, k := range p.Monitoring.GrantPublicKeys {
		if b, err := base64.StdEncoding.DecodeString(k); err != nil || len(b) != 32 {
			return bad("monitoring.grant_public_keys", "%q is not a base64 ed25519 public key (32 bytes): copy it from GET /v1/monitor/public-key", k)
		}
	}
	if err := p.Audio.validate(bad); err != nil {
		return err
	}
	switch p.UI.Language {
	case "", "en", "fr":
	default:
		return bad("ui.language", "must be en or fr, not %q", p.UI.Language)
	}
	if err := p.Shift.validate(bad); err != nil {
		return err
	}
	c := &p.Checks
	known := map[string]bool{}
	for _, n := range AllChecks() {
		known[n] = true
	}
	for _, m := range c.Mandatory {
		if !known[m] {
			return bad("checks.mandatory", "unknown check %q (one of %s)", m, strings.Join(AllChecks(), ", "))
		}
	}
	kinds := map[string]bool{KindWiredUSB: true, KindAnalog: true, KindDECT: true, KindBluetoothDongle: true, KindBluetooth: true}
	for key, list := range map[string][]string{"checks.headset.allow_kinds": c.Headset.AllowKinds, "checks.headset.deny_kinds": c.Headset.DenyKinds} {
		for _, k := range list {
			if !kinds[k] {
				return bad(key, "unknown headset kind %q (wired_usb, analog, dect, bluetooth_dongle, bluetooth)", k)
			}
		}
	}
	for key, list := range map[string][]string{"checks.headset.allow_models": c.Headset.AllowModels, "checks.headset.deny_models": c.Headset.DenyModels} {
		for _, m := range list {
			if !usbIDRe.MatchString(m) {
				return bad(key, "%q is not a USB id like 047f:c056", m)
			}
		}
	}
	sev := func(key, v string, allowPass bool) error {
		if v == SeverityWarn || v == SeverityFail || (allowPass && v == SeverityPass) {
			return nil
		}
		return bad(key, "must be warn or fail, not %q", v)
	}
	if err := sev("checks.headset.unknown", c.Headset.Unknown, false); err != nil {
		return err
	}
	if err := sev("checks.room.voices", c.Room.Voices, true); err != nil {
		return err
	}
	if err := sev("checks.room.music", c.Room.Music, true); err != nil {
		return err
	}
	if err := sev("checks.network.wifi", c.Network.WiFi, true); err != nil {
		return err
	}
	ranges := []struct {
		key      string
		v        float64
		min, max float64
	}{
		{"checks.leak.min_loss_db", c.Leak.MinLossDB, 0, 90},
		{"checks.leak.warn_loss_db", c.Leak.WarnLossDB, c.Leak.MinLossDB, 90},
		{"checks.leak.probe_level_dbfs", c.Leak.ProbeLevelDBFS, -60, -6},
		{"checks.leak.probe_ms", float64(c.Leak.ProbeMS), 200, 5000},
		{"checks.microphone.min_speech_dbfs", c.Microphone.MinSpeechDBFS, -80, 0},
		{"checks.microphone.warn_speech_dbfs", c.Microphone.WarnSpeechDBFS, c.Microphone.MinSpeechDBFS, 0},
		{"checks.microphone.max_clip_percent", c.Microphone.MaxClipPercent, 0, 100},
		{"checks.microphone.speech_seconds", c.Microphone.SpeechSeconds, 1, 15},
		{"checks.microphone.dead_below_dbfs", c.Microphone.DeadBelowDBFS, -140, -40},
		{"checks.microphone.distant_decay_db", c.Microphone.DistantDecayDB, 0, 60},
		{"checks.microphone.close_talk_decay_db", c.Microphone.CloseTalkDecayDB, c.Microphone.DistantDecayDB, 60},
		{"checks.room.capture_seconds", c.Room.CaptureSeconds, 1, 30},
		{"checks.room.max_l90_dbfs", c.Room.MaxL90DBFS, -120, 0},
		{"checks.room.warn_l90_dbfs", c.Room.WarnL90DBFS, -120, c.Room.MaxL90DBFS},
		{"checks.room.max_l10_dbfs", c.Room.MaxL10DBFS, -120, 0},
		{"checks.room.max_lmax_dbfs", c.Room.MaxLmaxDBFS, -120, 0},
		{"checks.room.max_dba", c.Room.MaxDBA, 0, 120},
		{"checks.network.probes", float64(c.Network.Probes), 1, 200},
		{"checks.network.interval_ms", float64(c.Network.IntervalMS), 0, 1000},
		{"checks.network.timeout_ms", float64(c.Network.TimeoutMS), 50, 10000},
		{"checks.network.max_rtt_ms", c.Network.MaxRTTMS, 1, 5000},
		{"checks.network.max_jitter_ms", c.Network.MaxJitterMS, 0, 1000},
		{"checks.network.max_loss_percent", c.Network.MaxLossPercent, 0, 100},
		{"checks.network.min_mos", c.Network.MinMOS, 1, 4.5},
		{"checks.network.warn_mos", c.Network.WarnMOS, c.Network.MinMOS, 4.5},
		{"checks.network.min_cert_days_left", float64(c.Network.MinCertDaysLeft), 0, 365},
	}
	for _, r := range ranges {
		if r.v < r.min || r.v > r.max {
			return bad(r.key, "%v is out of range [%v, %v]", r.v, r.min, r.max)
		}
	}
	for dev, cal := range c.Calibration {
		if cal.OffsetDB < 0 || cal.OffsetDB > 200 {
			return bad("checks.calibration."+dev+".offset_db", "%v is out of range [0, 200]", cal.OffsetDB)
		}
	}
	if c.Network.Probes*(c.Network.IntervalMS) > 10000 {
		return bad("checks.network.probes", "probes × interval_ms must stay under 10 s so the check ends in 20 s")
	}
	return nil
}

var reasonCodeRe = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

// validate checks reason lists (codes unique, labels in known languages)
// and the phone region.
func (s *ShiftPolicy) validate(bad func(key, format string, a ...any) error) error {
	builtin := map[string]bool{}
	for _, c := range append(append([]string{}, ReasonsNotReady...), ReasonsBreak...) {
		builtin[c] = true
	}
	for key, list := range map[string][]StateReason{"shift.not_ready_reasons": s.NotReadyReasons, "shift.break_reasons": s.BreakReasons} {
		seen := map[string]bool{}
		for _, r := range list {
			if !reasonCodeRe.MatchString(r.Code) {
				return bad(key, "reason code %q must be 1 to 32 of a-z, 0-9 and _", r.Code)
			}
			if seen[r.Code] {
				return bad(key, "reason code %q is listed twice", r.Code)
			}
			seen[r.Code] = true
			for l, text := range r.Labels {
				if l != "en" && l != "fr" {
					return bad(key, "reason %q: label language %q (en or fr)", r.Code, l)
				}
				if strings.TrimSpace(text) == "" || len(text) > 60 {
					return bad(key, "reason %q: the %s label must be 1 to 60 characters", r.Code, l)
				}
			}
			if !builtin[r.Code] && (r.Labels["en"] == "" || r.Labels["fr"] == "") {
				return bad(key, "reason %q is not built in: give its labels in en and fr", r.Code)
			}
		}
	}
	if len(s.NotReadyReasons) == 0 {
		return bad("shift.not_ready_reasons", "list at least one reason")
	}
	if !regionRe.MatchString(s.PhoneRegion) {
		return bad("shift.phone_region", "must be a two-letter country code like FR or US, not %q", s.PhoneRegion)
	}
	return nil
}

var regionRe = regexp.MustCompile(`^[A-Z]{2}$`)
