// Package config holds the agent's settings: the profile file, IT's
// managed policy, and secrets in the OS keyring.
package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Profile is what the agent (or first-run setup) chose. Secrets are not
// here: they live in the keyring.
type Profile struct {
	SIP      SIPAccount `json:"sip"`
	Backend  Backend    `json:"backend"`
	Audio    Audio      `json:"audio"`
	Language string     `json:"language,omitempty"`
}

// SIPAccount is the agent's SIP account without its password.
type SIPAccount struct {
	Server        string   `json:"server,omitempty"` // registrar host[:port]
	Domain        string   `json:"domain,omitempty"`
	User          string   `json:"user,omitempty"`
	AuthUser      string   `json:"auth_user,omitempty"`
	DisplayName   string   `json:"display_name,omitempty"`
	Transport     string   `json:"transport,omitempty"`
	OutboundProxy string   `json:"outbound_proxy,omitempty"`
	CAFile        string   `json:"ca_file,omitempty"`
	Codecs        []string `json:"codecs,omitempty"`
	SRTP          string   `json:"srtp,omitempty"` // off, optional or mandatory
	// ExpiresS and KeepAliveS are the registration lifetime and keepalive
	// interval in seconds; 0 means the policy's (see config.SIPPolicy).
	ExpiresS   int `json:"expires_s,omitempty"`
	KeepAliveS int `json:"keepalive_s,omitempty"`
}

// Backend is the ticket backend and the agent's login there.
type Backend struct {
	URL   string `json:"url,omitempty"`
	Agent string `json:"agent,omitempty"`
}

// Audio names the devices the agent chose (and the headset that passed).
type Audio struct {
	Input  string `json:"input,omitempty"`
	Output string `json:"output,omitempty"`
	Ring   string `json:"ring,omitempty"`
	// PinnedHeadset is the stable id of the headset that passed the check.
	PinnedHeadset string `json:"pinned_headset,omitempty"`
	// Processing of the outgoing audio: on, off or auto ("" = the
	// policy's default); ignored where IT policy sets audio.* (audio.go).
	NoiseSuppression string `json:"noise_suppression,omitempty"`
	AGC              string `json:"agc,omitempty"`
	EchoCancel       string `json:"echo_cancel,omitempty"`
}

// DefaultProfilePath is $XDG_CONFIG_HOME/homeshore/profile.json (or the
// OS equivalent).
func DefaultProfilePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no user configuration directory: %w", err)
	}
	return filepath.Join(dir, "homeshore", "profile.json"), nil
}

// LoadProfile reads a profile; a missing file is an empty profile.
func LoadProfile(path string) (Profile, error) {
	var p Profile
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("reading profile: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return p, fmt.Errorf("profile %s is not valid JSON (%v): fix or delete it", path, err)
	}
	return p, nil
}

// SaveProfile writes the profile atomically (temp file, fsync, rename), so
// a crash never leaves half a file.
func SaveProfile(path string, p Profile) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating settings folder: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".profile-*.json")
	if err != nil {
		return fmt.Errorf("saving profile: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("saving profile: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("saving profile: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving profile: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return fmt.Errorf("saving profile: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// RegistrationTiming is the registration lifetime and keepalive interval
// for this account under policy p: IT's value when the policy sets it,
// else the profile's, else the policy default. keepalive < 0 means off.
func (a SIPAccount) RegistrationTiming(p *Policy) (expires, keepalive time.Duration, err error) {
	exp := a.ExpiresS
	if exp == 0 || p.Locked("sip.expires_s") {
		exp = p.SIP.ExpiresS
	}
	if exp < 60 || exp > 3600 {
		return 0, 0, fmt.Errorf("sip.expires_s %d in the profile: use 60 to 3600 seconds", exp)
	}
	keep := a.KeepAliveS
	if keep == 0 || p.Locked("sip.keepalive_s") {
		keep = p.SIP.KeepAliveS
	}
	switch {
	case keep == 0:
		return time.Duration(exp) * time.Second, -1, nil
	case keep < 5 || keep > 300:
		return 0, 0, fmt.Errorf("sip.keepalive_s %d in the profile: use 5 to 300 seconds", keep)
	}
	return time.Duration(exp) * time.Second, time.Duration(keep) * time.Second, nil
}
