package cli

import "testing"

// "on" cancels echo only when microphone and speaker are both devices: a
// --play or --record file has no acoustic path for an echo to take. A list
// runs as listed, aec included with files (how tests exercise the canceller).
func TestAudioProcessingOnCancelsEchoOnlyOnDevices(t *testing.T) {
	for _, tc := range []struct {
		flag         string // "" for the default
		play, record string
		want         string
	}{
		{"", "", "", "ns+agc+aec"},
		{"", "speech.wav", "", "ns+agc"},
		{"", "", "heard.wav", "ns+agc"},
		{"on", "speech.wav", "heard.wav", "ns+agc"},
		{"ALL", "", "", "ns+agc+aec"},
		{"ns,agc,aec", "speech.wav", "heard.wav", "ns+agc+aec"},
		{"aec", "speech.wav", "", "aec"},
		{"ns, agc", "", "", "ns+agc"},
		{"off", "", "", "off"},
		{"none", "speech.wav", "", "off"},
	} {
		f := callFlags{processing: defaultProcessing(), play: tc.play, record: tc.record}
		if tc.flag != "" {
			if err := f.processing.Set(tc.flag); err != nil {
				t.Fatalf("--audio-processing %q: %v", tc.flag, err)
			}
		}
		if got := f.processing.resolve(f.acousticPath()).String(); got != tc.want {
			t.Errorf("--audio-processing %q, --play %q, --record %q: runs %s, want %s", tc.flag, tc.play, tc.record, got, tc.want)
		}
	}
	var f processingFlag
	if err := f.Set("ns,echo"); err == nil {
		t.Error(`--audio-processing "ns,echo" accepted`)
	}
}
