// The IT-managed policy file (the package comment lives in main's
// profile.go, which describes the whole package).

package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/homeshore/homeshore/app/managed"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
)

// PolicyEnv overrides the policy file's path (tests, diagnostics).
const PolicyEnv = "HOMESHORE_POLICY"

// Check names usable in checks.mandatory.
const (
	CheckHeadset    = "headset"
	CheckLeak       = "leak"
	CheckMicrophone = "microphone"
	CheckSpeaker    = "speaker"
	CheckRoom       = "room"
	CheckNetwork    = "network"
)

// AllChecks lists every check, in the order they run.
func AllChecks() []string {
	return []string{CheckHeadset, CheckLeak, CheckMicrophone, CheckSpeaker, CheckRoom, CheckNetwork}
}

// Headset kinds for checks.headset.allow_kinds / deny_kinds.
const (
	KindWiredUSB        = "wired_usb"
	KindAnalog          = "analog"           // 3.5 mm jack
	KindDECT            = "dect"             // DECT headset with a USB base
	KindBluetoothDongle = "bluetooth_dongle" // Bluetooth headset through its own USB dongle
	KindBluetooth       = "bluetooth"        // paired with the computer's Bluetooth
)

// Verdict words used by policy fields that choose a severity.
const (
	SeverityPass = "pass"
	SeverityWarn = "warn"
	SeverityFail = "fail"
)

// Policy is the IT-managed policy. Zero values never reach callers: Load
// fills documented defaults (DefaultPolicy) before reading the file.
type Policy struct {
	SIP     SIPPolicy     `json:"sip"`
	Backend BackendPolicy `json:"backend"`
	Checks  ChecksPolicy  `json:"checks"`
	Update  UpdatePolicy  `json:"update"`
	UI      UIPolicy      `json:"ui"`
	Shift   ShiftPolicy   `json:"shift"`
	Audio   AudioPolicy   `json:"audio"`
	// Monitoring is the supervisors' listening tools (listen, whisper, barge).
	Monitoring MonitoringPolicy `json:"monitoring"`

	source string
	locked map[string]bool
}

// SIPPolicy pins the SIP account's server side.
type SIPPolicy struct {
	Server        string   `json:"server"`
	Transport     string   `json:"transport"`
	OutboundProxy string   `json:"outbound_proxy"`
	Codecs        []string `json:"codecs"`
	// SRTP is off, optional or mandatory (media encryption, SDES keys).
	SRTP string `json:"srtp"`
	// ExpiresS is the registration lifetime asked for, in seconds
	// (60-3600); the registrar may grant another one.
	ExpiresS int `json:"expires_s"`
	// KeepAliveS is how often, in seconds, the phone checks the server
	// still has its registration (5-300; 0 turns the check off).
	KeepAliveS int `json:"keepalive_s"`
	// Presence publishes the agent's state as SIP presence (PUBLISH).
	Presence bool `json:"presence"`
}

// BackendPolicy pins the ticket backend.
type BackendPolicy struct {
	URL string `json:"url"`
}

// UpdatePolicy pins where signed updates come from.
type UpdatePolicy struct {
	ManifestURL string `json:"manifest_url"`
	PublicKey   string `json:"public_key"`
	// AutoInstall installs a verified update silently, outside calls,
	// without asking the agent (Windows; elsewhere IT's repository does).
	AutoInstall bool `json:"auto_install"`
}

// MonitoringPolicy says whether supervisors may listen to the agent's calls
// and which backend keys sign their grants (docs/monitoring.md).
type MonitoringPolicy struct {
	// Enabled lets supervisors monitor calls with a valid grant; false
	// refuses every request (403).
	Enabled bool `json:"enabled"`
	// GrantPublicKeys are base64 ed25519 public keys (GET
	// /v1/monitor/public-key); empty refuses every request.
	GrantPublicKeys []string `json:"grant_public_keys"`
}

// UIPolicy pins user-interface choices.
type UIPolicy struct {
	Language string `json:"language"`
}

// ShiftPolicy sets the agent's states and how numbers are read.
type ShiftPolicy struct {
	// NotReadyReasons and BreakReasons are what the agent picks from.
	NotReadyReasons []StateReason `json:"not_ready_reasons"`
	BreakReasons    []StateReason `json:"break_reasons"`
	// PhoneRegion (ISO 3166 country) reads numbers written without
	// +country, for dialling, screen-pop and call logs.
	PhoneRegion string `json:"phone_region"`
	// MissedCallNotReady puts an Available agent who lets an offered call
	// ring out in Not ready (reason missed_call), so the queue stops
	// routing calls to an empty chair; false leaves them Available.
	MissedCallNotReady bool `json:"missed_call_not_ready"`
}

// StateReason is one reason code with its label in each language. The
// built-in codes (Reasons*) are labelled by the app's own catalogue;
// labels given here win.
type StateReason struct {
	Code   string            `json:"code"`
	Labels map[string]string `json:"labels,omitempty"`
}

// Built-in reason codes, labelled in every language by the app.
var (
	ReasonsNotReady = []string{"training", "meeting", "coaching", "tech", "admin"}
	ReasonsBreak    = []string{"break", "lunch"}
)

// ChecksPolicy drives the pre-shift check and its gate.
type ChecksPolicy struct {
	Mandatory     []string         `json:"mandatory"`
	AllowOverride bool             `json:"allow_override"`
	Headset       HeadsetPolicy    `json:"headset"`
	Leak          LeakPolicy       `json:"leak"`
	Microphone    MicrophonePolicy `json:"microphone"`
	Room          RoomPolicy       `json:"room"`
	Network       NetworkPolicy    `json:"network"`
	Calibration   map[string]Calib `json:"calibration"`
}

// Calib is a per-device microphone calibration (key: device name or USB id "vvvv:pppp").
type Calib struct {
	// OffsetDB converts dBFS(A) to dBA: dBA = dBFS + OffsetDB.
	OffsetDB float64 `json:"offset_db"`
}

// HeadsetPolicy says which headsets are acceptable.
type HeadsetPolicy struct {
	AllowKinds  []string `json:"allow_kinds"`
	DenyKinds   []string `json:"deny_kinds"`
	AllowModels []string `json:"allow_models"` // "vvvv:pppp" USB ids, always accepted
	DenyModels  []string `json:"deny_models"`  // "vvvv:pppp" USB ids, always refused
	Unknown     string   `json:"unknown"`      // warn or fail when metadata cannot tell
	Pin         bool     `json:"pin"`          // remember the headset that passed
}

// LeakPolicy sets the acoustic leak test (probe out, microphone in).
type LeakPolicy struct {
	MinLossDB      float64 `json:"min_loss_db"`  // below: fail (open speakers)
	WarnLossDB     float64 `json:"warn_loss_db"` // below: warn
	ProbeLevelDBFS float64 `json:"probe_level_dbfs"`
	ProbeMS        int     `json:"probe_ms"`
}

// MicrophonePolicy sets the microphone test.
type MicrophonePolicy struct {
	MinSpeechDBFS   float64 `json:"min_speech_dbfs"`  // active speech level below: fail
	WarnSpeechDBFS  float64 `json:"warn_speech_dbfs"` // below: warn
	MaxClipPercent  float64 `json:"max_clip_percent"` // clipped samples above: fail
	SpeechSeconds   float64 `json:"speech_seconds"`   // how long the agent reads
	DeadBelowDBFS   float64 `json:"dead_below_dbfs"`  // whole capture quieter: dead/muted
	RequireSpeaking bool    `json:"require_speaking"` // headless: false skips the speech part
	// Close-talk test on the read sentence: how far the level falls within
	// 50 ms of the loud parts (direct-to-reverberant character). At or above
	// CloseTalkDecayDB the microphone is near the mouth (a headset boom); at
	// or below DistantDecayDB it is across the desk (laptop, webcam).
	CloseTalkDecayDB float64 `json:"close_talk_decay_db"`
	DistantDecayDB   float64 `json:"distant_decay_db"`
}

// RoomPolicy sets the quiet-room test.
type RoomPolicy struct {
	CaptureSeconds float64 `json:"capture_seconds"`
	MaxL90DBFS     float64 `json:"max_l90_dbfs"`  // steady background, fail above
	WarnL90DBFS    float64 `json:"warn_l90_dbfs"` // warn above
	MaxL10DBFS     float64 `json:"max_l10_dbfs"`  // frequent events, fail above
	MaxLmaxDBFS    float64 `json:"max_lmax_dbfs"` // loudest event, warn above
	MaxDBA         float64 `json:"max_dba"`       // with calibration: L90 in dBA, fail above
	Voices         string  `json:"voices"`        // severity when background voices are heard
	Music          string  `json:"music"`         // severity when music is heard
}

// NetworkPolicy sets the network test.
type NetworkPolicy struct {
	WiFi            string  `json:"wifi"` // severity for a Wi-Fi link
	Probes          int     `json:"probes"`
	IntervalMS      int     `json:"interval_ms"`
	TimeoutMS       int     `json:"timeout_ms"` // per probe
	MaxRTTMS        float64 `json:"max_rtt_ms"`
	MaxJitterMS     float64 `json:"max_jitter_ms"`
	MaxLossPercent  float64 `json:"max_loss_percent"`
	MinMOS          float64 `json:"min_mos"`
	WarnMOS         float64 `json:"warn_mos"`
	VerifyTLS       bool    `json:"verify_tls"`
	MinCertDaysLeft int     `json:"min_cert_days_left"`
}

// DefaultPolicy returns the documented defaults (docs/policy.md).
func DefaultPolicy() Policy {
	return Policy{
		SIP:   SIPPolicy{Transport: "udp", Codecs: []string{"opus", "pcmu", "pcma"}, SRTP: "off", ExpiresS: 300, KeepAliveS: 30, Presence: true},
		UI:    UIPolicy{Language: "en"},
		Audio: defaultAudioPolicy(),
		Shift: ShiftPolicy{PhoneRegion: "US", MissedCallNotReady: true,
			NotReadyReasons: builtinReasons(ReasonsNotReady), BreakReasons: builtinReasons(ReasonsBreak)},
		Monitoring: MonitoringPolicy{Enabled: true, GrantPublicKeys: []string{}},
		Checks: ChecksPolicy{
			Mandatory: []string{CheckHeadset, CheckLeak, CheckMicrophone, CheckSpeaker, CheckRoom, CheckNetwork},
			Headset: HeadsetPolicy{
				AllowKinds: []string{KindWiredUSB, KindAnalog, KindDECT},
				DenyKinds:  []string{KindBluetooth, KindBluetoothDongle},
				Unknown:    SeverityWarn, Pin: true,
			},
			Leak: LeakPolicy{MinLossDB: 35, WarnLossDB: 40, ProbeLevelDBFS: -24, ProbeMS: 1000},
			Microphone: MicrophonePolicy{MinSpeechDBFS: -45, WarnSpeechDBFS: -35, MaxClipPercent: 0.1, SpeechSeconds: 4, DeadBelowDBFS: -95,
				CloseTalkDecayDB: 18, DistantDecayDB: 15},
			Room: RoomPolicy{CaptureSeconds: 10, MaxL90DBFS: -50, WarnL90DBFS: -58, MaxL10DBFS: -45,
				MaxLmaxDBFS: -40, MaxDBA: 45, Voices: SeverityFail, Music: SeverityFail},
			Network: NetworkPolicy{WiFi: SeverityWarn, Probes: 20, IntervalMS: 50, TimeoutMS: 1000,
				MaxRTTMS: 300, MaxJitterMS: 40, MaxLossPercent: 2, MinMOS: 3.6, WarnMOS: 4.0,
				VerifyTLS: true, MinCertDaysLeft: 14},
		},
	}
}

func builtinReasons(codes []string) []StateReason {
	out := make([]StateReason, 0, len(codes))
	for _, c := range codes {
		out = append(out, StateReason{Code: c})
	}
	return out
}

// DefaultPolicyPath is the machine-wide location for this OS; PolicyEnv overrides it.
func DefaultPolicyPath() string {
	if p := os.Getenv(PolicyEnv); p != "" {
		return p
	}
	switch runtime.GOOS {
	case "windows":
		base := os.Getenv("ProgramData")
		if base == "" {
			base = `C:\ProgramData`
		}
		return filepath.Join(base, "Homeshore", "policy.json")
	case "darwin":
		return "/Library/Application Support/Homeshore/policy.json"
	default:
		return "/etc/homeshore/policy.json"
	}
}

// LoadPolicy reads the policy at DefaultPolicyPath. A missing file is not an
// error: the defaults apply and nothing is locked.
func LoadPolicy() (Policy, error) { return LoadPolicyFile(DefaultPolicyPath()) }

// LoadPolicyFile reads one policy file over the defaults.
func LoadPolicyFile(path string) (Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return Policy{}, &PolicyError{Path: path, Msg: fmt.Sprintf("cannot read: %v", err)}
	}
	// On Windows, IT's Group Policy / MSI registry values beat the file.
	reg, rerr := managed.ReadRegistry()
	if rerr != nil && !errors.Is(rerr, managed.ErrNotManaged) {
		return Policy{}, &PolicyError{Path: `HKLM\SOFTWARE\Policies\Homeshore`, Msg: rerr.Error()}
	}
	if reg != nil {
		if b == nil {
			b = []byte("{}")
		}
		if b, err = managed.Overlay(b, reg); err != nil {
			return Policy{}, &PolicyError{Path: path, Msg: err.Error()}
		}
	}
	if b == nil {
		p := DefaultPolicy()
		p.locked = map[string]bool{}
		return p, nil
	}
	return ParsePolicy(path, b)
}

// ParsePolicy parses policy JSON (name is used in messages only).
func ParsePolicy(name string, data []byte) (Policy, error) {
	var raw any
	if err := json.Unmarshal(data, &raw); err != nil {
		return Policy{}, &PolicyError{Path: name, Msg: "not valid JSON: " + err.Error()}
	}
	if _, ok := raw.(map[string]any); !ok {
		return Policy{}, &PolicyError{Path: name, Msg: "the top level must be a JSON object"}
	}
	locked := map[string]bool{}
	if err := checkKeys(name, "", raw, schemaOf(Policy{}), locked); err != nil {
		return Policy{}, err
	}
	p := DefaultPolicy()
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Policy{}, &PolicyError{Path: name, Key: te.Field, Msg: "wrong type: expected " + te.Type.String()}
		}
		return Policy{}, &PolicyError{Path: name, Msg: err.Error()}
	}
	p.source, p.locked = name, locked
	if err := p.validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Source is the file the policy came from ("" for defaults only).
func (p *Policy) Source() string { return p.source }

// Locked reports whether IT set this dotted key (arrays count as one key), so the
// GUI shows it read-only and the agent's own setting is ignored.
func (p *Policy) Locked(key string) bool {
	for k := key; k != ""; k = parentKey(k) {
		if p.locked[k] {
			return true
		}
	}
	return false
}

// LockedKeys lists every dotted leaf key IT set, sorted.
func (p *Policy) LockedKeys() []string {
	out := make([]string, 0, len(p.locked))
	for k := range p.locked {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Resolve returns the policy value when IT locked key, else the agent's own.
func Resolve[T any](p *Policy, key string, policyValue, agentValue T) T {
	if p != nil && p.Locked(key) {
		return policyValue
	}
	return agentValue
}

// Mandatory reports whether a check gates the shift.
func (p *Policy) Mandatory(check string) bool {
	for _, c := range p.Checks.Mandatory {
		if c == check {
			return true
		}
	}
	return false
}

func parentKey(k string) string {
	for i := len(k) - 1; i >= 0; i-- {
		if k[i] == '.' {
			return k[:i]
		}
	}
	return ""
}
