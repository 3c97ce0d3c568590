package cli_test

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
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
// well (envelope: the median of eight parts, as a loaded machine now and
// then makes the receiver's jitter buffer grow mid-call, which spoils the
// part it falls in). The two calls run at once, under the same load.
func TestCLICallSuppressesFanNoise(t *testing.T) {
	t.Parallel()
	clean, noisy := noisyAgent(t, 10)
	const converged = 2 * time.Second
	type heard struct {
		levels audiocmp.Levels
		lsd    float64
		score  float64
	}
	var mu sync.Mutex
	got := make(map[string]heard)
	t.Run("calls", func(t *testing.T) {
		for _, processing := range []string{"off", "ns"} {
			t.Run(processing, func(t *testing.T) {
				t.Parallel()
				rec, lags := sendThroughCall(t, noisy, processing, clean)
				l, err := audiocmp.MeasureLevels(clean, rec, lags, converged)
				if err != nil {
					t.Fatal(err)
				}
				lsd, err := audiocmp.SpectralDistance(clean, rec, lags, converged)
				if err != nil {
					t.Fatal(err)
				}
				r, err := audiocmp.CompareSegmentsMedian(clean, rec, 8)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("--audio-processing %s: heard %s, SNR %.1f dB, spectral distance %.2f dB, envelope %.3f (lags %v)", processing, l, l.SNR(), lsd, r.Score, lags)
				mu.Lock()
				got[processing] = heard{l, lsd, r.Score}
				mu.Unlock()
			})
		}
	})
	if t.Failed() {
		return
	}
	off, on := got["off"], got["ns"]
	// Both SNRs, so the gain of the two paths cannot fake a drop.
	if gain := on.levels.SNR() - off.levels.SNR(); gain < 15 {
		t.Errorf("noise suppression through a call: speech-to-noise between words rose %.1f dB (%.1f -> %.1f), want >= 15", gain, off.levels.SNR(), on.levels.SNR())
	}
	if on.lsd > off.lsd+0.5 || on.score < off.score-0.02 {
		t.Errorf("speech through a call with noise suppression: spectral distance %.2f dB (off %.2f), envelope %.3f (off %.3f)", on.lsd, off.lsd, on.score, off.score)
	}
}

// customerHears calls baresip (PCMU), which answers and talks all along
// (customer, looped), while homeshore sends agent with processing; it
// returns what baresip decoded, at 48 kHz.
func customerHears(t *testing.T, customer, agent, processing string) audiocmp.Audio {
	t.Helper()
	recordDir := t.TempDir()
	b := testenv.StartBaresip(t, testenv.BaresipOptions{AutoAnswer: true, Codecs: []string{"pcmu"}, PlayWAV: customer, PlayLoop: true,
		PlayDuration: 30 * time.Second, RecordDir: recordDir})
	code, s, last := start(t, nil, "call", b.URI(), "--play", agent, "--record", filepath.Join(t.TempDir(), "heard.wav"),
		"--codecs", "pcmu", "--audio-processing", processing, "--json").wait(t, 40*time.Second)
	if want := strings.ReplaceAll(processing, ",", "+"); code != 0 || s.AudioProcessing != want {
		t.Fatalf("--audio-processing %s: exit %d, audio_processing %q (want %q), last %q", processing, code, s.AudioProcessing, want, last)
	}
	b.Expect(t, testenv.EventCallClosed)
	heard := filepath.Join(t.TempDir(), "heard48k.wav")
	if out, err := exec.Command(testenv.RequireBinary(t, "sox"), b.RecordedWAV(), "-r", "48000", heard).CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, out)
	}
	got, err := audiocmp.Load(heard)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// The agent talks over a customer (baresip, PCMU) on a path with no echo,
// the customer in another voice or in the agent's own synthetic voice: with
// the echo canceller asked for, what the customer hears of the agent
// matches the agent's speech at least 0.9 as well as without it (the
// median of four parts: a loaded machine spoils a part now and then), at
// the same level within 2 dB, and the agent's pauses carry no copy of the
// customer's voice. Each pair of calls runs at once, under the same load.
// (Before the echo gate, the canceller sent the customer's voice back into
// the agent's pauses at -57 to -61 dBFS, against -84 without it, and
// TestCLICallsBaresipWithAudioAndDTMF/pcmu failed 2 runs in 3 with it on.)
func TestCLIEchoCancellerLeavesTheAgentAloneInDoubleTalk(t *testing.T) {
	t.Parallel()
	agentWAV := testenv.Pad(t, testenv.Espeak(t, "Of course, I can change the address for you right now. "+
		"Let me check your account. One moment please. The parcel left our warehouse this morning."), 500*time.Millisecond, 500*time.Millisecond)
	agent, err := audiocmp.Load(agentWAV)
	if err != nil {
		t.Fatal(err)
	}
	type heard struct{ score, speech, pauses float64 }
	for _, tc := range []struct{ name, voice string }{{"other voice", "en+f3"}, {"same voice", "en"}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			customer := testenv.EspeakVoice(t, tc.voice, "I would like to change the delivery address of my parcel please.")
			for _, p := range []struct{ with, without string }{{"aec", "off"}, {"ns,agc,aec", "ns,agc"}} {
				var mu sync.Mutex
				got := make(map[string]heard)
				t.Run(p.with, func(t *testing.T) {
					for _, processing := range []string{p.with, p.without} {
						t.Run(processing, func(t *testing.T) {
							t.Parallel()
							rec := customerHears(t, customer, agentWAV, processing)
							r, err := audiocmp.CompareSegmentsMedian(agent, rec, 4)
							if err != nil {
								t.Fatal(err)
							}
							lags, err := audiocmp.Align(agent, rec, 4)
							if err != nil {
								t.Fatal(err)
							}
							l, err := audiocmp.MeasureLevels(agent, rec, lags, 0)
							if err != nil {
								t.Fatal(err)
							}
							t.Logf("--audio-processing %s: envelope %.3f, speech %.1f dBFS, agent's pauses %.1f dBFS (lags %v)", processing, r.Score, l.SpeechDBFS, l.PauseMedianDBFS, lags)
							mu.Lock()
							got[processing] = heard{r.Score, l.SpeechDBFS, l.PauseMedianDBFS}
							mu.Unlock()
						})
					}
				})
				if t.Failed() {
					return
				}
				with, without := got[p.with], got[p.without]
				if with.score < 0.9*without.score || math.Abs(with.speech-without.speech) > 2 {
					t.Errorf("%s: envelope %.3f, speech %.1f dBFS; %s: %.3f, %.1f dBFS", p.with, with.score, with.speech, p.without, without.score, without.speech)
				}
				if with.pauses > max(without.pauses+6, -70) {
					t.Errorf("%s: the agent's pauses carry %.1f dBFS (%s: %.1f): the customer hears their own voice", p.with, with.pauses, p.without, without.pauses)
				}
			}
		})
	}
}
