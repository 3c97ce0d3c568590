package config

import "fmt"

// Modes of audio.noise_suppression, audio.agc and audio.echo_cancel (policy)
// and of the agent's own settings of the same name.
const (
	ProcessingOn   = "on"
	ProcessingOff  = "off"
	ProcessingAuto = "auto" // echo_cancel: off once the check proved a headset; the others: on
)

// AudioPolicy sets the processing of the agent's outgoing audio (media/dsp).
type AudioPolicy struct {
	NoiseSuppression string `json:"noise_suppression"`
	AGC              string `json:"agc"`
	EchoCancel       string `json:"echo_cancel"`
}

// Policy keys of the audio processing, for Locked.
const (
	KeyNoiseSuppression = "audio.noise_suppression"
	KeyAGC              = "audio.agc"
	KeyEchoCancel       = "audio.echo_cancel"
)

func defaultAudioPolicy() AudioPolicy {
	return AudioPolicy{NoiseSuppression: ProcessingOn, AGC: ProcessingOn, EchoCancel: ProcessingAuto}
}

func validProcessingMode(m string) bool {
	return m == ProcessingOn || m == ProcessingOff || m == ProcessingAuto
}

func (a AudioPolicy) validate(bad func(key, format string, args ...any) error) error {
	for key, m := range map[string]string{KeyNoiseSuppression: a.NoiseSuppression, KeyAGC: a.AGC, KeyEchoCancel: a.EchoCancel} {
		if !validProcessingMode(m) {
			return bad(key, "must be on, off or auto, not %q", m)
		}
	}
	return nil
}

// Processing is what runs on the agent's outgoing audio.
type Processing struct {
	NoiseSuppression, AGC, EchoCancel bool
}

func (p Processing) String() string {
	return fmt.Sprintf("noise suppression %s, automatic gain %s, echo cancellation %s", onOff(p.NoiseSuppression), onOff(p.AGC), onOff(p.EchoCancel))
}

func onOff(b bool) string {
	if b {
		return ProcessingOn
	}
	return ProcessingOff
}

// ProcessingModes are the three modes after policy: what IT set where it set
// it, else the agent's own choice (agent, from the profile), else the
// policy's default.
func (p *Policy) ProcessingModes(agent Audio) AudioPolicy {
	pol := defaultAudioPolicy()
	if p != nil {
		pol = p.Audio
	}
	pick := func(key, policyMode, agentMode string) string {
		if (p == nil || !p.Locked(key)) && validProcessingMode(agentMode) {
			return agentMode
		}
		return policyMode
	}
	return AudioPolicy{
		NoiseSuppression: pick(KeyNoiseSuppression, pol.NoiseSuppression, agent.NoiseSuppression),
		AGC:              pick(KeyAGC, pol.AGC, agent.AGC),
		EchoCancel:       pick(KeyEchoCancel, pol.EchoCancel, agent.EchoCancel),
	}
}

// Processing resolves the modes into what runs; headsetProved says the last
// pre-shift check passed both the headset and the acoustic leak test on the
// devices in use, which turns an "auto" echo canceller off.
func (a AudioPolicy) Processing(headsetProved bool) Processing {
	return Processing{
		NoiseSuppression: a.NoiseSuppression != ProcessingOff,
		AGC:              a.AGC != ProcessingOff,
		EchoCancel:       a.EchoCancel == ProcessingOn || (a.EchoCancel == ProcessingAuto && !headsetProved),
	}
}
