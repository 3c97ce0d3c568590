package sipbench_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/audiocmp"
	"github.com/homeshore/homeshore/internal/testenv"
)

// BenchmarkDSPVsBaresip compares the processing of the agent's outgoing
// audio: one Opus call on 127.0.0.1 at a time, the caller sending speech
// with steady fan noise at 10 dB SNR (looped), the answerer talking back
// (the caller's echo canceller has a far end) and recording what the
// caller sent. Per variant: the caller's CPU per call-minute and, in the
// answerer's recording, the speech-to-noise ratio between words and the
// spectral distance from the clean speech. Homeshore with its processing
// off, noise suppression + gain (what baresip's speex_pp does), and
// everything on; baresip 1.0.0 without and with speex_pp (its defaults:
// denoise, AGC, VAD and dereverb on). Debian's baresip has no echo
// canceller module (no speex_aec, no webrtc_aec). Run with -benchtime 1x
// inside scripts/with-test-env.sh:
//
//	HOMESHORE_BIN=$PWD/bin/homeshore scripts/with-test-env.sh go test -run '^$' -bench DSPVsBaresip -benchtime 1x ./bench/sip/
func BenchmarkDSPVsBaresip(b *testing.B) {
	hs := testenv.RequireHomeshore(b)
	testenv.RequireBinary(b, "baresip")
	testenv.RequireBinary(b, "sox")
	testenv.RequirePulse(b)
	window := envDuration(b, "SIPBENCH_WINDOW", 20*time.Second)
	callLen := callWarmup + window + 2*time.Second
	clean, noisy, talkBack := dspInputs(b, callLen+10*time.Second)
	for range b.N {
		fmt.Printf("\nOutgoing audio processing vs baresip (%s, %d cores; fan noise at 10 dB SNR; %s window)\n\n",
			time.Now().UTC().Format(time.RFC3339), numCPU(), window)
		fmt.Println("| sender | CPU-s per call-minute (caller) | speech-to-noise between words heard | spectral distance from clean speech |")
		fmt.Println("| --- | --- | --- | --- |")
		for _, v := range []struct {
			name       string
			homeshore  bool
			processing string // homeshore --audio-processing
			speexPP    bool   // baresip
		}{
			{"Homeshore, processing off", true, "off", false},
			{"baresip 1.0.0, no speex_pp", false, "", false},
			{"Homeshore, noise suppression + gain (ns,agc)", true, "ns,agc", false},
			{"baresip 1.0.0 + speex_pp", false, "", true},
			{"Homeshore, all on (ns+agc+aec, the default)", true, "on", false},
		} {
			var cpu float64
			var rec string
			if v.homeshore {
				cpu, rec = homeshoreDSPCall(b, hs, noisy, talkBack, v.processing, window)
			} else {
				cpu, rec = baresipDSPCall(b, noisy, talkBack, v.speexPP, window)
			}
			snr, lsd := scoreHeard(b, clean, rec)
			fmt.Printf("| %s | **%.2f** | %.1f dB | %.2f dB |\n", v.name, cpu, snr, lsd)
		}
	}
}

// dspInputs returns the clean agent speech looped to d, the same with fan
// noise at 10 dB SNR, and the customer's speech looped to d.
func dspInputs(b *testing.B, d time.Duration) (clean audiocmp.Audio, noisy, talkBack string) {
	speech := testenv.Pad(b, testenv.Espeak(b, "Thank you for calling customer support, my name is Anna. "+
		"How can I help you today? Let me check your account. One moment please."), 500*time.Millisecond, 500*time.Millisecond)
	looped := loopWAV(b, speech, d)
	var err error
	if clean, err = audiocmp.Load(looped); err != nil {
		b.Fatal(err)
	}
	fan, err := audiocmp.Load(testenv.FanNoise(b, 10*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	mixed, err := audiocmp.Mix(clean, fan, 10)
	if err != nil {
		b.Fatal(err)
	}
	noisy = filepath.Join(b.TempDir(), "noisy.wav")
	if err := audiocmp.Save(noisy, mixed); err != nil {
		b.Fatal(err)
	}
	customer := testenv.EspeakVoice(b, "en+f3", "Hello, I am calling about my order. It was supposed to arrive yesterday but nothing came.")
	return clean, noisy, loopWAV(b, customer, d)
}

// homeshoreDSPCall runs homeshore answer (recording) and homeshore call
// (sending noisy with processing) and returns the caller's CPU per
// call-minute and the answerer's recording.
func homeshoreDSPCall(b *testing.B, bin, noisy, talkBack, processing string, window time.Duration) (float64, string) {
	dir := b.TempDir()
	callLen := callWarmup + window + 2*time.Second
	profile := filepath.Join(dir, "no-profile.json")
	port := testenv.FreeUDPPort(b)
	rec := filepath.Join(dir, "heard.wav")
	ans := startProc(b, "homeshore answer", filepath.Join(dir, "answer.log"), nil, bin,
		"answer", "--listen", "udp:127.0.0.1:"+strconv.Itoa(port), "--codecs", "opus", "--play", talkBack,
		"--record", rec, "--audio-processing", "off", "--timeout", "20s", "--profile", profile)
	waitUDPBound(b, ans, port)
	call := startProc(b, "homeshore call", filepath.Join(dir, "call.log"), nil, bin,
		"call", "sip:bench@127.0.0.1:"+strconv.Itoa(port), "--codecs", "opus", "--play", noisy,
		"--record", filepath.Join(dir, "caller-heard.wav"), "--audio-processing", processing,
		"--duration", callLen.String(), "--profile", profile)
	r := measure(b, []endpoint{{p: ans}, {p: call, caller: true}}, window)
	for _, p := range []*proc{call, ans} {
		if err := p.wait(callLen + 15*time.Second); err != nil {
			b.Fatalf("%s: %v\n%s", p.name, err, p.tail())
		}
	}
	return r.callerCPU, rec
}

// baresipDSPCall is homeshoreDSPCall with two baresip 1.0.0, the caller
// with or without speex_pp.
func baresipDSPCall(b *testing.B, noisy, talkBack string, speexPP bool, window time.Duration) (float64, string) {
	callLen := callWarmup + window + 2*time.Second
	callerMic := loopWAV(b, noisy, callLen) // aufile hangs up when it ends
	quit := strconv.Itoa(int((callLen + 10*time.Second).Seconds()))
	port := sipPortPair(b)
	rec := b.TempDir()
	d := baresipDir(b, port, talkBack, rec, "<sip:bench@127.0.0.1>;regint=0;answermode=auto;audio_codecs=opus/48000/2", 21000)
	ans := startProc(b, "baresip answer", filepath.Join(d, "baresip.log"), nil, "baresip", "-f", d, "-t", quit)
	waitUDPBound(b, ans, port)
	d = baresipDir(b, sipPortPair(b), callerMic, "", "<sip:caller@127.0.0.1>;regint=0;answermode=manual;audio_codecs=opus/48000/2", 21100)
	if speexPP {
		f, err := os.OpenFile(filepath.Join(d, "config"), os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString("module\t\t\tspeex_pp.so\n")
			err = joinClose(err, f)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	call := startProc(b, "baresip call", filepath.Join(d, "baresip.log"), nil, "baresip", "-f", d, "-t", quit,
		"-e", "/dial sip:bench@127.0.0.1:"+strconv.Itoa(port))
	r := measure(b, []endpoint{{p: ans}, {p: call, caller: true}}, window)
	time.Sleep(3 * time.Second) // the caller's file ends 2 s after the window
	call.stop()
	ans.stop()
	m, _ := filepath.Glob(filepath.Join(rec, "dump-*-dec.wav"))
	if len(m) == 0 {
		b.Fatalf("baresip answerer recorded nothing\n%s", ans.tail())
	}
	return r.callerCPU, m[0]
}

func joinClose(err error, f *os.File) error {
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// scoreHeard lines the recording up with the clean speech and returns the
// speech-to-noise ratio between words (after 2 s) and the spectral distance.
func scoreHeard(b *testing.B, clean audiocmp.Audio, rec string) (snr, lsd float64) {
	got, err := audiocmp.Load(rec)
	if err != nil {
		b.Fatal(err)
	}
	// Part by part: a loaded machine makes a recording's timeline slip.
	lags, err := audiocmp.Align(clean, got, int(len(clean.Samples)/clean.Rate/4))
	if err != nil {
		b.Fatalf("%s: %v", rec, err)
	}
	l, err := audiocmp.MeasureLevels(clean, got, lags, 2*time.Second)
	if err != nil {
		b.Fatalf("%s: %v", rec, err)
	}
	if lsd, err = audiocmp.SpectralDistance(clean, got, lags, 2*time.Second); err != nil {
		b.Fatalf("%s: %v", rec, err)
	}
	return l.SNR(), lsd
}

// BenchmarkEchoOnPulseDevices is the echo canceller on sound-server devices
// with their real buffering: the agent (homeshore answer) plays the
// customer's voice into a PulseAudio headset whose microphone hears it
// back at -10 dB (module-loopback, internal/testenv Headset.Leak), and the
// customer (homeshore call) records what the agent sends. Printed: the
// echo the customer hears back (75th percentile of 20 ms frames after the
// first 3 s) with the agent's processing off and with the canceller. On a
// loaded machine the devices under-run and the loopback re-times itself,
// which costs the canceller a second each time; media/dsp's
// TestEchoCancelledThroughACall is the same through Sessions on 20 ms
// clocks, and asserts.
//
//	HOMESHORE_BIN=$PWD/bin/homeshore scripts/with-test-env.sh go test -run '^$' -bench EchoOnPulseDevices -benchtime 1x ./bench/sip/
func BenchmarkEchoOnPulseDevices(b *testing.B) {
	hs := testenv.RequireHomeshore(b)
	testenv.RequirePulse(b)
	customer := testenv.Concat(b,
		testenv.EspeakVoice(b, "en+f3", "Hello, I am calling about my order. It was supposed to arrive yesterday but nothing came."),
		testenv.EspeakVoice(b, "en+f3", "Can you tell me where it is and when it will be delivered? I need it before the weekend."))
	echoBack := func(processing string) float64 {
		h := testenv.PulseHeadset(b, "leaky_"+processing, map[string]string{"device.bus": "usb", "device.form_factor": "headset"})
		h.Leak(b, -10)
		dir := b.TempDir()
		port := testenv.FreeUDPPort(b)
		ans := startProc(b, "homeshore answer", filepath.Join(dir, "answer.log"), nil, hs,
			"answer", "--listen", "udp:127.0.0.1:"+strconv.Itoa(port), "--input-device", h.Mic, "--output-device", h.Speaker,
			"--audio-processing", processing, "--timeout", "20s", "--profile", filepath.Join(dir, "none.json"), "-v")
		waitUDPBound(b, ans, port)
		heard := filepath.Join(dir, "echo.wav")
		call := startProc(b, "homeshore call", filepath.Join(dir, "call.log"), nil, hs,
			"call", "sip:agent@127.0.0.1:"+strconv.Itoa(port), "--play", customer, "--record", heard,
			"--audio-processing", "off", "--profile", filepath.Join(dir, "none.json"))
		for _, p := range []*proc{call, ans} {
			if err := p.wait(60 * time.Second); err != nil {
				b.Fatalf("%s: %v\n%s", p.name, err, p.tail())
			}
		}
		got, err := audiocmp.Load(heard)
		if err != nil {
			b.Fatal(err)
		}
		return frameLevelPercentile(got, 3*time.Second, 75)
	}
	for range b.N {
		off, on := echoBack("off"), echoBack("aec")
		fmt.Printf("\nEcho on PulseAudio devices (%s, %d cores): leak -10 dB, heard back %.1f dBFS without the canceller, %.1f with it: %.1f dB less\n",
			time.Now().UTC().Format(time.RFC3339), numCPU(), off, on, off-on)
		b.ReportMetric(off-on, "dB-echo-reduction")
	}
}

// frameLevelPercentile is the pct-th percentile of a's 20 ms frame levels
// (dBFS) from skip on.
func frameLevelPercentile(a audiocmp.Audio, skip time.Duration, pct int) float64 {
	n := a.Rate / 50
	var levels []float64
	for at := int(skip.Seconds() * float64(a.Rate)); at+n <= len(a.Samples); at += n {
		var s float64
		for _, v := range a.Samples[at : at+n] {
			s += v * v
		}
		levels = append(levels, 10*math.Log10(s/float64(n)+1e-20))
	}
	if len(levels) == 0 {
		return math.Inf(-1)
	}
	slices.Sort(levels)
	return levels[min(len(levels)-1, len(levels)*pct/100)]
}
