package testenv

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultPlayDuration is how long a baresip microphone WAV lasts unless
// BaresipOptions.PlayDuration says otherwise: baresip's aufile hangs up the
// call when its file ends, so every source is padded (or looped) to this.
const DefaultPlayDuration = 60 * time.Second

// commandTimeout bounds one ctrl_tcp command and the registration wait.
const commandTimeout = 10 * time.Second

// BaresipOptions configure one baresip user agent.
type BaresipOptions struct {
	// AOR of an account registered through a registrar, e.g.
	// "sip:bob@127.0.0.1:PORT" (add ";transport=tcp" inside for TCP), or ""
	// for no registration: it then only calls and answers directly at
	// ListenAddr.
	AOR      string
	Password string
	// NoRegister keeps an AOR account from registering: it still
	// authenticates (401/407) with Password when it calls.
	NoRegister bool
	// Codecs restricts and orders audio codecs: "opus", "pcmu", "pcma".
	// Empty means all three.
	Codecs []string
	// PlayWAV is sent as the microphone (any WAV sox reads). Empty means
	// silence. It is padded with silence, or looped when PlayLoop is set,
	// to PlayDuration so baresip does not hang up when the file ends.
	PlayWAV      string
	PlayLoop     bool
	PlayDuration time.Duration
	// RecordDir, when set, receives sndfile recordings of each call:
	// dump-TIMESTAMP-dec.wav (decoded received audio, see RecordedWAV) and
	// dump-TIMESTAMP-enc.wav (what was sent).
	RecordDir  string
	AutoAnswer bool
	// MediaEnc is baresip's media encryption for the account: "srtp"
	// (best effort: crypto lines on RTP/AVP) or "srtp-mand" (RTP/SAVP
	// required); empty means none.
	MediaEnc string
}

// Baresip is a running baresip controlled over ctrl_tcp.
type Baresip struct {
	SIPPort  int    // UDP and TCP; baresip also listens TLS on SIPPort+1
	CtrlPort int    // ctrl_tcp
	AOR      string // the account's AOR
	Sink     string // PulseAudio null sink its playback goes to
	Dir      string // config, accounts and log
	LogFile  string

	recordDir string
	proc      *process
	conn      net.Conn
	readDone  chan struct{}

	writeMu sync.Mutex // serialises commands on conn

	mu       sync.Mutex
	events   []Event
	consumed map[string]int
	changed  chan struct{} // closed and replaced when an event arrives
	pending  map[string]chan ctrlMessage
	readErr  error
	token    int
}

type baresipConfig struct {
	SIPPort, CtrlPort, RTPMin, RTPMax int
	Sink, Source, RecordDir           string
	Codecs                            []string
	Account                           string
	SRTP                              bool
}

var codecModules = map[string]string{"opus": "opus.so", "pcmu": "g711.so", "pcma": "g711.so"}
var codecNames = map[string]string{"opus": "opus/48000/2", "pcmu": "PCMU/8000/1", "pcma": "PCMA/8000/1"}

// StartBaresip starts baresip with ctrl_tcp control, an aufile microphone,
// playback into a private PulseAudio null sink (through ALSA's pulse plugin:
// Debian's baresip has no pulse module) and optional sndfile recording.
// With an AOR it returns after REGISTER_OK.
func StartBaresip(t testing.TB, o BaresipOptions) *Baresip {
	t.Helper()
	bin := RequireBinary(t, "baresip")
	RequireBinary(t, "sox")
	RequirePulse(t)
	dir := t.TempDir()
	b := &Baresip{
		Dir:       dir,
		LogFile:   filepath.Join(dir, "baresip.log"),
		recordDir: o.RecordDir,
		readDone:  make(chan struct{}),
		consumed:  map[string]int{},
		changed:   make(chan struct{}),
		pending:   map[string]chan ctrlMessage{},
	}
	if o.RecordDir != "" {
		if err := os.MkdirAll(o.RecordDir, 0o755); err != nil {
			t.Fatalf("testenv: baresip record dir: %v", err)
		}
	}
	b.Sink = PulseDevice(t, "baresip", nil, nil).Sink
	cfg := baresipConfig{
		RTPMin: 20000, RTPMax: 59998,
		Sink: b.Sink, Source: baresipSource(t, o), RecordDir: o.RecordDir,
		SRTP: o.MediaEnc != "",
	}
	codecs := o.Codecs
	if len(codecs) == 0 {
		codecs = []string{"opus", "pcmu", "pcma"}
	}
	var names []string
	for _, c := range codecs {
		mod, ok := codecModules[strings.ToLower(c)]
		if !ok {
			t.Fatalf("testenv: baresip codec %q unknown (want opus, pcmu or pcma)", c)
		}
		if !slices.Contains(cfg.Codecs, mod) {
			cfg.Codecs = append(cfg.Codecs, mod)
		}
		names = append(names, codecNames[strings.ToLower(c)])
	}
	cfg.SIPPort, cfg.CtrlPort = baresipPorts(t)
	b.SIPPort, b.CtrlPort = cfg.SIPPort, cfg.CtrlPort
	renderTemplate(t, "testdata/baresip/config.tmpl", filepath.Join(dir, "config"), cfg)
	// No account at start: the UA is added over ctrl_tcp once we listen,
	// so REGISTER_OK cannot fire before we see it.
	renderTemplate(t, "testdata/baresip/accounts.tmpl", filepath.Join(dir, "accounts"), cfg)

	cmd := exec.Command(bin, "-f", dir)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PULSE_SINK="+b.Sink)
	b.proc = startProcess(t, "baresip", b.LogFile, cmd)
	b.proc.clean = cleanBaresipLog
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	running := func() bool { return !b.proc.exited() }
	if err := waitBound(ctx, "tcp", cfg.CtrlPort, running); err != nil {
		t.Fatalf("testenv: baresip ctrl_tcp: %v\nlog:\n%s", err, b.proc.tail(logTailLines))
	}
	if err := waitBound(ctx, "udp", cfg.SIPPort, running); err != nil {
		t.Fatalf("testenv: baresip SIP: %v\nlog:\n%s", err, b.proc.tail(logTailLines))
	}
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.CtrlPort)))
	if err != nil {
		t.Fatalf("testenv: connect baresip ctrl_tcp: %v", err)
	}
	b.conn = conn
	go b.readLoop()
	t.Cleanup(func() {
		b.conn.Close()
		<-b.readDone
	})

	b.AOR = o.AOR
	params := []string{"audio_codecs=" + strings.Join(names, ",")}
	if o.MediaEnc != "" {
		params = append(params, "mediaenc="+o.MediaEnc)
	}
	if o.AutoAnswer {
		params = append(params, "answermode=auto")
	} else {
		params = append(params, "answermode=manual")
	}
	if o.AOR == "" {
		b.AOR = "sip:baresip@" + b.ListenAddr()
		params = append(params, "regint=0")
	} else {
		if o.NoRegister {
			params = append(params, "regint=0")
		} else {
			params = append(params, "regint=600")
		}
		if o.Password != "" {
			params = append(params, "auth_pass="+o.Password)
		}
	}
	account := "<" + b.AOR + ">;" + strings.Join(params, ";")
	if err := b.Command("/uanew " + account); err != nil {
		t.Fatalf("testenv: baresip add account: %v\nlog:\n%s", err, b.proc.tail(logTailLines))
	}
	if o.AOR != "" && !o.NoRegister {
		b.waitRegistered(t)
	}
	return b
}

func (b *Baresip) waitRegistered(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	ev, err := b.WaitEventFunc(ctx, func(e Event) bool {
		return e.Type == EventRegisterOK || e.Type == EventRegisterFail
	})
	if err != nil {
		t.Fatalf("testenv: baresip %s did not register: %v\nlog:\n%s", b.AOR, err, b.proc.tail(logTailLines))
	}
	if ev.Type == EventRegisterFail {
		t.Fatalf("testenv: baresip %s registration failed: %s\nlog:\n%s", b.AOR, ev.Param, b.proc.tail(logTailLines))
	}
}

// baresipPorts picks a SIP port whose successor (baresip's TLS port) is
// free too, and a ctrl_tcp port.
func baresipPorts(t testing.TB) (sip, ctrl int) {
	t.Helper()
	for range 50 {
		sip = FreeUDPTCPPort(t)
		l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(sip+1)))
		if err != nil {
			continue
		}
		l.Close()
		for {
			ctrl = FreeTCPPort(t)
			if ctrl != sip && ctrl != sip+1 {
				return sip, ctrl
			}
		}
	}
	t.Fatalf("testenv: no free port pair for baresip")
	return 0, 0
}

// baresipSource returns the WAV aufile plays: PlayWAV (or silence) at
// 48 kHz mono, padded or looped to the play duration.
func baresipSource(t testing.TB, o BaresipOptions) string {
	t.Helper()
	d := o.PlayDuration
	if d <= 0 {
		d = DefaultPlayDuration
	}
	out := filepath.Join(cacheDir(t), fmt.Sprintf("mic-%s-%t-%d.wav", safeName(o.PlayWAV), o.PlayLoop, d.Milliseconds()))
	if _, err := os.Stat(out); err == nil {
		return out
	}
	rate := strconv.Itoa(SampleRate)
	switch {
	case o.PlayWAV == "":
		run(t, "sox", "-n", "-r", rate, "-c", "1", "-b", "16", out, "trim", "0", secs(d))
	case o.PlayLoop:
		// "repeat" more than enough, then cut at d.
		n := int(d/wavDuration(t, o.PlayWAV)) + 1
		run(t, "sox", o.PlayWAV, "-r", rate, "-c", "1", "-b", "16", "-e", "signed-integer", out,
			"repeat", strconv.Itoa(n), "trim", "0", secs(d))
	default:
		run(t, "sox", o.PlayWAV, "-r", rate, "-c", "1", "-b", "16", "-e", "signed-integer", out,
			"pad", "0", secs(d), "trim", "0", secs(d))
	}
	return out
}

// wavDuration asks soxi how long a sound file is.
func wavDuration(t testing.TB, path string) time.Duration {
	t.Helper()
	out, err := exec.Command("soxi", "-D", path).Output()
	if err != nil {
		t.Fatalf("testenv: soxi -D %s: %v", path, err)
	}
	s, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil || s <= 0 {
		t.Fatalf("testenv: soxi -D %s printed %q", path, out)
	}
	return time.Duration(s * float64(time.Second))
}

// ListenAddr returns baresip's SIP address "127.0.0.1:PORT" for direct calls.
func (b *Baresip) ListenAddr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.SIPPort))
}

// URI returns a SIP URI reaching this baresip directly, without a registrar.
func (b *Baresip) URI() string { return "sip:baresip@" + b.ListenAddr() }

// ReceivedDTMF returns the DTMF digits received so far (RFC 4733 or SIP
// INFO), in order.
func (b *Baresip) ReceivedDTMF() string {
	var digits strings.Builder
	for _, e := range b.Events() {
		if e.Type == EventDTMFStart {
			digits.WriteString(e.Param)
		}
	}
	return digits.String()
}

// RecordedWAV returns the newest recording of decoded received audio
// (sndfile's dump-*-dec.wav in RecordDir), or "" when there is none.
// sndfile completes the WAV header when the call's audio stops, so read it
// after CALL_CLOSED.
func (b *Baresip) RecordedWAV() string { return b.newestRecording("-dec.wav") }

// SentWAV returns the newest recording of what baresip sent (dump-*-enc.wav).
func (b *Baresip) SentWAV() string { return b.newestRecording("-enc.wav") }

func (b *Baresip) newestRecording(suffix string) string {
	if b.recordDir == "" {
		return ""
	}
	matches, _ := filepath.Glob(filepath.Join(b.recordDir, "dump-*"+suffix))
	var newest string
	var newestTime time.Time
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && !fi.ModTime().Before(newestTime) {
			newest, newestTime = m, fi.ModTime()
		}
	}
	return newest
}

// Log returns baresip's output so far, without its call status ticker.
func (b *Baresip) Log() string { return b.proc.tail(1 << 30) }

// baresipStatus matches the call status line baresip's menu rewrites with
// \r many times a second, and ANSI colour codes.
var baresipStatus = regexp.MustCompile(`\[\d+:\d\d:\d\d\] audio=\d+/\d+ \(bit/s\)\s*|\x1b\[[0-9;]*m`)

func cleanBaresipLog(s string) string { return baresipStatus.ReplaceAllString(s, "") }
