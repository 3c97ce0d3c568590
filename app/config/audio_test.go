package config

import (
	"errors"
	"testing"
)

func TestAudioProcessingModes(t *testing.T) {
	def := DefaultPolicy()
	if got := def.ProcessingModes(Audio{}).Processing(false); got != (Processing{true, true, true}) {
		t.Errorf("defaults without a proved headset: %s, want everything on", got)
	}
	if got := def.ProcessingModes(Audio{}).Processing(true); got != (Processing{true, true, false}) {
		t.Errorf("defaults with a proved headset: %s, want the echo canceller off (auto)", got)
	}
	agent := Audio{NoiseSuppression: "off", EchoCancel: "on", AGC: "bogus"}
	if got := def.ProcessingModes(agent).Processing(true); got != (Processing{false, true, true}) {
		t.Errorf("agent's choices (an unknown mode falls back to the default): %s", got)
	}
	locked, err := ParsePolicy("p.json", []byte(`{"audio":{"noise_suppression":"on","echo_cancel":"off"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if !locked.Locked(KeyNoiseSuppression) || locked.Locked(KeyAGC) {
		t.Fatalf("locked keys %v", locked.LockedKeys())
	}
	if got := locked.ProcessingModes(Audio{NoiseSuppression: "off", AGC: "off", EchoCancel: "on"}).Processing(false); got != (Processing{true, false, false}) {
		t.Errorf("IT's locked keys beat the agent's, unlocked ones do not: %s", got)
	}
	var nilPolicy *Policy
	if got := nilPolicy.ProcessingModes(Audio{AGC: "off"}).Processing(false); got != (Processing{true, false, true}) {
		t.Errorf("no policy: %s", got)
	}
}

func TestAudioPolicyRejectsUnknownModes(t *testing.T) {
	_, err := ParsePolicy("p.json", []byte(`{"audio":{"agc":"yes"}}`))
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Key != KeyAGC || !errors.Is(err, ErrPolicyInvalid) {
		t.Fatalf("agc yes: %v", err)
	}
}
