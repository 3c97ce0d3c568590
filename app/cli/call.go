package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media"
	"github.com/homeshore/homeshore/media/audiodev"
	"github.com/homeshore/homeshore/sip"
)

// callFlags are shared by "call" and "answer".
type callFlags struct {
	account      accountFlags
	play         string
	record       string
	inputDevice  string
	outputDevice string
	duration     durationFlag
	dtmf         string
	json         bool
	verbose      bool
	trace        bool
	processing   processingFlag
	// answer only
	answerAfter durationFlag
	reject      int
	wait        durationFlag
	// call only
	ringTimeout durationFlag
}

// endTail lets the last packets of a played file reach the far end before BYE.
const endTail = 400 * time.Millisecond

// dtmfDelay lets media settle before the first digit, as people do.
const dtmfDelay = 500 * time.Millisecond

func runCall(ctx context.Context, args []string, stdout, stderr io.Writer, answer bool) int {
	name := "call"
	if answer {
		name = "answer"
	}
	fs := newFlagSet(name, stderr)
	var f callFlags
	f.account.register(fs)
	fs.StringVar(&f.play, "play", "", "send this WAV file instead of the microphone")
	fs.StringVar(&f.record, "record", "", "save what is received to this WAV file")
	fs.StringVar(&f.inputDevice, "input-device", "", "microphone (default: the system's default input)")
	fs.StringVar(&f.outputDevice, "output-device", "", "speaker/headset (default: the system's default output)")
	fs.Var(&f.duration, "duration", "hang up this long after answer (default: call hangs up when --play ends; both when the other side hangs up)")
	fs.StringVar(&f.dtmf, "dtmf", "", "send these DTMF digits once the call is up")
	fs.BoolVar(&f.json, "json", false, "print a JSON summary at the end")
	fs.BoolVar(&f.verbose, "v", false, "verbose logs on stderr")
	fs.BoolVar(&f.trace, "sip-trace", false, "log every SIP message (credentials redacted)")
	f.processing = defaultProcessing()
	fs.Var(&f.processing, "audio-processing", "clean the sent audio (also --play files): on (noise suppression and gain, and echo cancellation when microphone and speaker are devices), off, or a list of ns,agc,aec run as listed")
	if answer {
		fs.Var(&f.answerAfter, "answer-after", "ring (180) this long before answering")
		fs.IntVar(&f.reject, "reject", 0, "refuse the call with this code (486 or 603)")
		fs.Var(&f.wait, "timeout", "give up when no call arrives within this time (default: wait)")
	} else {
		f.ringTimeout.d = 60 * time.Second
		fs.Var(&f.ringTimeout, "ring-timeout", "give up when nobody answers within this time")
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsageErr
	}
	target := ""
	switch {
	case !answer && len(positional) != 1:
		fmt.Fprintln(stderr, "homeshore call: give exactly one URI or number to call, e.g. homeshore call sip:bob@127.0.0.1:5080")
		return exitUsageErr
	case answer && len(positional) != 0:
		fmt.Fprintf(stderr, "homeshore answer: unexpected argument %q\n", positional[0])
		return exitUsageErr
	case !answer:
		target = positional[0]
	}
	if answer && f.reject != 0 && f.reject != 486 && f.reject != 603 {
		fmt.Fprintf(stderr, "homeshore answer: --reject %d: use 486 (busy) or 603 (decline)\n", f.reject)
		return exitUsageErr
	}
	log := newLogger(stderr, f.verbose)
	if f.trace {
		// Its own logger: a trace is asked for explicitly and must print
		// whatever the log level (-v or not).
		sip.EnableTrace(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	r := &callRun{flags: f, log: log, answer: answer, target: target, progress: stderr}
	sum, err := r.run(ctx)
	if f.json {
		if werr := writeSummary(stdout, sum, err); werr != nil {
			fmt.Fprintln(stderr, "homeshore:", werr)
		}
	} else if sum.Answered {
		fmt.Fprintln(stdout, sum.human())
	}
	if err != nil {
		fmt.Fprintln(stderr, oneLine(err))
		return ExitFailed
	}
	return ExitOK
}

func newLogger(w io.Writer, verbose bool) *slog.Logger {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

// oneLine keeps the final message to a single line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

type callRun struct {
	flags  callFlags
	log    *slog.Logger
	answer bool
	target string
	// progress gets the one line `answer` prints once it can take a call.
	progress   io.Writer
	registered bool
}

func (r *callRun) run(ctx context.Context) (summary, error) {
	sum := summary{Direction: "outbound", Remote: r.target}
	if r.answer {
		sum.Direction = "inbound"
	}
	cfg, err := r.flags.account.sipConfig(config.Keyring{})
	if err != nil {
		return sum, err
	}
	if cfg.Registrar == "" && cfg.OutboundProxy == "" && cfg.ListenAddr == "" && !r.answer {
		ip, err := localIPForTarget(r.target)
		if err != nil {
			return sum, err
		}
		cfg.ListenAddr = ip + ":0"
	}
	if r.answer && cfg.Registrar == "" && cfg.ListenAddr == "" {
		return sum, errors.New("nothing to answer on: give --listen udp:IP:PORT or an account with --registrar")
	}
	cfg.MaxCalls = 1 // one call per run: a second caller hears busy
	ua, err := sip.New(cfg, sip.WithLogger(r.log))
	if err != nil {
		return sum, err
	}
	defer ua.Close()
	if cfg.Registrar != "" {
		if err := ua.Register(ctx); err != nil {
			return sum, err
		}
		r.registered = true
	}
	// Devices open after registering: probing them takes tens of ms that
	// need not delay the registration.
	audio, closeAudio, err := openAudio(r.flags, r.log)
	if err != nil {
		return sum, err
	}
	defer closeAudio()
	audio, closeProcessing, processing := withProcessing(audio, r.flags.processing.resolve(r.flags.acousticPath()), r.log)
	defer closeProcessing()
	sum.AudioProcessing = processing
	var call *sip.Call
	if r.answer {
		call, err = r.takeIncoming(ctx, ua, audio, &sum)
	} else {
		call, err = r.placeCall(ctx, ua, audio, &sum)
	}
	if err != nil {
		return sum, err
	}
	call = r.talk(ctx, call)
	sum.fill(call)
	return sum, call.End().Err
}

func localIPForTarget(target string) (string, error) {
	host := target
	if i := strings.IndexByte(host, '@'); i >= 0 {
		host = host[i+1:]
	}
	host = strings.TrimPrefix(strings.TrimPrefix(host, "sips:"), "sip:")
	if i := strings.IndexByte(host, ';'); i >= 0 {
		host = host[:i]
	}
	ip, err := sip.LocalAddrToward(host)
	if err != nil {
		return "", err
	}
	if ip.Is6() {
		return "[" + ip.String() + "]", nil
	}
	return ip.String(), nil
}

func (r *callRun) placeCall(ctx context.Context, ua *sip.UA, audio sip.Audio, sum *summary) (*sip.Call, error) {
	start := time.Now()
	call, err := ua.Dial(ctx, r.target, audio)
	if err != nil {
		return nil, err
	}
	sum.Remote = call.Remote()
	waitCtx, cancel := context.WithTimeout(ctx, r.flags.ringTimeout.d)
	defer cancel()
	if err := call.WaitAnswered(waitCtx); err != nil {
		_ = call.Hangup(context.Background())
		<-call.Done()
		sum.fill(call)
		if ctx.Err() != nil {
			return nil, errors.New("interrupted before the call was answered")
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("nobody answered within %s: call cancelled", r.flags.ringTimeout.d)
		}
		return nil, err
	}
	sum.SetupMs = float64(time.Since(start).Microseconds()) / 1000
	return call, nil
}

func (r *callRun) takeIncoming(ctx context.Context, ua *sip.UA, audio sip.Audio, sum *summary) (*sip.Call, error) {
	where := fmt.Sprintf("%s:%s", ua.Transport(), ua.SIPAddr())
	if r.registered {
		where = ua.AOR() + " (registered)"
	}
	fmt.Fprintf(r.progress, "waiting for a call to %s\n", where)
	waitCtx := ctx
	if r.flags.wait.d > 0 {
		var cancel context.CancelFunc
		waitCtx, cancel = context.WithTimeout(ctx, r.flags.wait.d)
		defer cancel()
	}
	var call *sip.Call
	for call == nil {
		select {
		case ev := <-ua.Events():
			switch e := ev.(type) {
			case sip.IncomingCall:
				call = e.Call
			case sip.CallRefused:
				// The one call of this run could not be taken: say why.
				sum.Remote = e.From
				return nil, e.Err
			}
		case <-waitCtx.Done():
			if ctx.Err() != nil {
				return nil, errors.New("interrupted while waiting for a call")
			}
			return nil, fmt.Errorf("no call arrived within %s", r.flags.wait.d)
		}
	}
	sum.Remote = call.Remote()
	if r.flags.reject != 0 {
		err := call.Reject(r.flags.reject)
		sum.fill(call)
		if err != nil {
			return nil, err
		}
		return nil, call.End().Err
	}
	if d := r.flags.answerAfter.d; d > 0 {
		select {
		case <-time.After(d):
		case <-call.Done():
			sum.fill(call)
			return nil, call.End().Err
		case <-ctx.Done():
			_ = call.Reject(603)
			return nil, errors.New("interrupted while ringing")
		}
	}
	if err := call.Answer(ctx, audio); err != nil {
		sum.fill(call)
		return nil, err
	}
	return call, nil
}

// talk runs an answered call to its end: DTMF, duration, end of the played
// file, the far end hanging up, Ctrl-C, or a transfer to a new call.
func (r *callRun) talk(ctx context.Context, call *sip.Call) *sip.Call {
	var deadline <-chan time.Time
	if r.flags.duration.d > 0 {
		t := time.NewTimer(r.flags.duration.d)
		defer t.Stop()
		deadline = t.C
	}
	// The caller ends the call when its file is played; the answering side
	// waits for the caller (or --duration), so it never cuts the caller off.
	var sourceDone <-chan struct{}
	if !r.answer && r.flags.play != "" && r.flags.duration.d == 0 {
		sourceDone = call.SourceDone()
	}
	dtmf := time.After(dtmfDelay)
	if r.flags.dtmf == "" {
		dtmf = nil
	}
	hangup := func() {
		if err := call.Hangup(context.Background()); err != nil && !errors.Is(err, sip.ErrCallEnded) {
			r.log.Warn("hang-up", "error", err)
		}
	}
	for {
		select {
		case <-dtmf:
			dtmf = nil
			if err := call.SendDTMF(ctx, r.flags.dtmf); err != nil {
				r.log.Warn("sending DTMF", "error", err)
			}
		case <-deadline:
			hangup()
		case <-sourceDone:
			sourceDone = nil
			time.Sleep(endTail)
			hangup()
		case <-ctx.Done():
			hangup()
		case ev := <-call.Events():
			if tr, ok := ev.(sip.Transferred); ok {
				r.log.Info("transferred", "to", tr.To.Remote())
				<-call.Done()
				call = tr.To
			}
		case <-call.Done():
			if next := call.Replacement(); next != nil {
				call = next
				continue
			}
			return call
		}
	}
}

// openAudio opens the call's source and sink: files when given, devices
// otherwise. A missing device next to a file is replaced by silence or a
// discard, with a warning: the headless diagnostics still run.
func openAudio(f callFlags, log *slog.Logger) (sip.Audio, func(), error) {
	var closers []io.Closer
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			if err := closers[i].Close(); err != nil {
				log.Warn("closing audio", "error", err)
			}
		}
	}
	var audio sip.Audio
	fail := func(err error) (sip.Audio, func(), error) {
		closeAll()
		return sip.Audio{}, func() {}, err
	}
	if f.play != "" {
		src, err := media.OpenWAVSource(f.play)
		if err != nil {
			return fail(fmt.Errorf("--play %s: %w", f.play, err))
		}
		closers = append(closers, src)
		audio.Source = src
	} else {
		src, err := audiodev.OpenCapture(f.inputDevice)
		switch {
		case err == nil:
			closers = append(closers, src)
			audio.Source = src
		case f.record != "":
			log.Warn("no microphone: sending silence", "error", err)
			audio.Source = media.Silence()
		default:
			return fail(fmt.Errorf("opening the microphone: %w (use --play FILE.wav to send a file)", err))
		}
	}
	if f.record != "" {
		sink, err := media.CreateWAVSink(f.record)
		if err != nil {
			return fail(fmt.Errorf("--record %s: %w", f.record, err))
		}
		closers = append(closers, sink)
		audio.Sink = sink
	} else {
		sink, err := audiodev.OpenPlayback(f.outputDevice)
		switch {
		case err == nil:
			closers = append(closers, sink)
			audio.Sink = sink
		case f.play != "":
			log.Warn("no speaker: received audio is discarded", "error", err)
			audio.Sink = discard{}
		default:
			return fail(fmt.Errorf("opening the speaker: %w (use --record FILE.wav to save the audio)", err))
		}
	}
	return audio, closeAll, nil
}

// discard is a sink that drops audio.
type discard struct{}

func (discard) Write([]int16) error { return nil }
