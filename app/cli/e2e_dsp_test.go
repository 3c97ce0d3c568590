package cli_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
)

// noisyAgent writes the agent's speech with steady fan noise at snrDB and
// returns it with the clean speech.
func noisyAgent(t *testing.T, snrDB float64) (clean audiocmp.Audio, noisyWAV string) {
	t.Helper()
	wav := testenv.Pad(t, testenv.Espeak(t, "Thank you for calling customer support, my name is Anna. "+
		"How can I help you today? Let me check your account. One moment please."), time.Second, 500*time.Millisecond)
	clean, err := audiocmp.Load(wav)
	if err != nil {
		t.Fatal(err)
	}
	fan, err := audiocmp.Load(testenv.FanNoise(t, 10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	noisy, err := audiocmp.Mix(clean, fan, snrDB)
	if err != nil {
		t.Fatal(err)
	}
	noisyWAV = filepath.Join(t.TempDir(), "noisy.wav")
	if err := audiocmp.Save(noisyWAV, noisy); err != nil {
		t.Fatal(err)
	}
	return clean, noisyWAV
}

// sendThroughCall plays file from a caller with the given processing to an
// answering homeshore that records it, over Opus on 127.0.0.1, and returns
// the recording and its delays against clean, part by part (a loaded
// machine makes a recording's timeline slip).
func sendThroughCall(t *testing.T, file, processing string, clean audiocmp.Audio) (audiocmp.Audio, audiocmp.Lags) {
	t.Helper()
	listen := freeSIP(t)
	rec := filepath.Join(t.TempDir(), "received.wav")
	agent := start(t, nil, "answer", "--listen", "udp:"+listen, "--record", rec, "--audio-processing", "off", "--json")
	time.Sleep(300 * time.Millisecond)
	code, s, last := start(t, nil, "call", "sip:agent@"+listen, "--play", file, "--codecs", "opus",
		"--audio-processing", processing, "--json").wait(t, 40*time.Second)
	if code != 0 || s.AudioProcessing != processing {
		t.Fatalf("caller: exit %d, audio_processing %q (want %q), last %q", code, s.AudioProcessing, processing, last)
	}
	if code, _, last := agent.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("answerer: exit %d, last %q", code, last)
	}
	got, err := audiocmp.Load(rec)
	if err != nil {
		t.Fatal(err)
	}
	// With noise and no processing the match is weaker than
	// audiocmp.Threshold asks of a clean path.
	r, err := audiocmp.CompareAudio(clean, got)
	if err != nil || r.Score < 0.5 {
		t.Fatalf("%s: the recording does not carry the speech: %v %s", processing, err, r)
	}
	lags, err := audiocmp.Align(clean, got, 3)
	if err != nil {
		t.Fatal(err)
	}
	return got, lags
}

// Through a real call (Opus, RTP on 127.0.0.1), the caller's noise
// suppression takes at least 15 dB of steady fan noise off the pauses
// between words that the other side hears, against the same call with
// processing off, and the speech heard matches the clean speech at least as
// well.
func TestCLICallSuppressesFanNoise(t *testing.T) {
	t.Parallel()
	clean, noisy := noisyAgent(t, 10)
	const converged = 2 * time.Second
	type heard struct {
		levels audiocmp.Levels
		lsd    float64
		score  float64
	}
	measure := func(processing string) heard {
		got, lags := sendThroughCall(t, noisy, processing, clean)
		l, err := audiocmp.MeasureLevels(clean, got, lags, converged)
		if err != nil {
			t.Fatal(err)
		}
		lsd, err := audiocmp.SpectralDistance(clean, got, lags, converged)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := audiocmp.CompareAudio(clean, got)
		t.Logf("--audio-processing %s: heard %s, SNR %.1f dB, spectral distance %.2f dB, envelope %.3f (lags %v)", processing, l, l.SNR(), lsd, r.Score, lags)
		return heard{l, lsd, r.Score}
	}
	off, on := measure("off"), measure("ns")
	// Both SNRs, so the gain of the two paths cannot fake a drop.
	if gain := on.levels.SNR() - off.levels.SNR(); gain < 15 {
		t.Errorf("noise suppression through a call: speech-to-noise between words rose %.1f dB (%.1f -> %.1f), want >= 15", gain, off.levels.SNR(), on.levels.SNR())
	}
	if on.lsd > off.lsd+0.5 || on.score < off.score-0.02 {
		t.Errorf("speech through a call with noise suppression: spectral distance %.2f dB (off %.2f), envelope %.3f (off %.3f)", on.lsd, off.lsd, on.score, off.score)
	}
}
