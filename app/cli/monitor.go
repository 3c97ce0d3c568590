package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/sip"
)

// monitorFlags are "monitor"'s flags beyond the account's.
type monitorFlags struct {
	account      accountFlags
	mode         string
	play, record string
	inputDevice  string
	outputDevice string
	duration     durationFlag
	ringTimeout  durationFlag
	switches     switchFlag
	grant        string
	backend      string
	backendUser  string
	agent        string
	json         bool
	verbose      bool
	trace        bool
}

// modeSwitch is one --switch MODE@DELAY.
type modeSwitch struct {
	mode  string
	after time.Duration
}

// switchFlag collects --switch values.
type switchFlag []modeSwitch

func (s *switchFlag) String() string { return fmt.Sprint(*s) }

func (s *switchFlag) Set(v string) error {
	m, d, ok := strings.Cut(v, "@")
	if !ok {
		return fmt.Errorf("%q: use MODE@DELAY, e.g. whisper@10s", v)
	}
	mode, err := sip.ParseMode(m)
	if err != nil {
		return err
	}
	var df durationFlag
	if err := df.Set(d); err != nil {
		return err
	}
	*s = append(*s, modeSwitch{mode: mode, after: df.d})
	return nil
}

// monitorSummary is "monitor --json"'s one object: the call's figures
// (as "call" prints them) and the session's modes. Documented in docs/cli.md.
type monitorSummary struct {
	summary
	Agent          string       `json:"agent"`
	Mode           string       `json:"mode"`
	Modes          []modeRecord `json:"modes"`
	GrantExpiresAt string       `json:"grant_expires_at,omitempty"`
}

// modeRecord is one mode of the session: when it was asked for, seconds
// after answer, and why the agent refused it.
type modeRecord struct {
	Mode  string  `json:"mode"`
	AtS   float64 `json:"at_s"`
	Error string  `json:"error,omitempty"`
}

const monitorUsage = `usage: homeshore monitor AGENT-URI --mode listen|whisper|barge [flags]

A supervisor listens to the call an agent is on (the agent's Homeshore
answers at once and shows a banner). The grant comes from the backend with
--backend URL --backend-user NAME (password from HOMESHORE_BACKEND_PASSWORD
or the keyring), or is given with --grant TOKEN.
`

func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("monitor", stderr)
	var f monitorFlags
	f.account.register(fs)
	fs.StringVar(&f.mode, "mode", sip.ModeListen, "listen (hear both sides), whisper (the agent hears you too) or barge (everybody hears everybody)")
	fs.StringVar(&f.play, "play", "", "send this WAV file instead of the microphone")
	fs.StringVar(&f.record, "record", "", "save what is heard to this WAV file")
	fs.StringVar(&f.inputDevice, "input-device", "", "microphone (default: the system's default input)")
	fs.StringVar(&f.outputDevice, "output-device", "", "speaker/headset (default: the system's default output)")
	fs.Var(&f.duration, "duration", "end the session this long after it starts (default: when the agent's call ends, or Ctrl-C)")
	f.ringTimeout.d = 15 * time.Second
	fs.Var(&f.ringTimeout, "ring-timeout", "give up when the agent's app does not answer within this time")
	fs.Var(&f.switches, "switch", "switch mode during the session, MODE@DELAY after the start (repeat), e.g. whisper@10s")
	fs.StringVar(&f.grant, "grant", "", "a grant token obtained elsewhere (default: ask --backend)")
	fs.StringVar(&f.backend, "backend", "", "the Homeshore server that issues grants, e.g. https://tickets.example.com")
	fs.StringVar(&f.backendUser, "backend-user", "", "your supervisor login on --backend")
	fs.StringVar(&f.agent, "agent", "", "the agent's backend login (default: the user part of AGENT-URI)")
	fs.BoolVar(&f.json, "json", false, "print a JSON summary at the end")
	fs.BoolVar(&f.verbose, "v", false, "verbose logs on stderr")
	fs.BoolVar(&f.trace, "sip-trace", false, "log every SIP message (credentials redacted)")
	fs.Usage = func() { fmt.Fprint(stderr, monitorUsage); fs.PrintDefaults() }
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return exitUsageErr
	}
	if len(positional) != 1 {
		fmt.Fprintln(stderr, "homeshore monitor: give exactly one agent address, e.g. homeshore monitor sip:alice@pbx.example.com --mode listen")
		return exitUsageErr
	}
	mode, err := sip.ParseMode(f.mode)
	if err != nil {
		fmt.Fprintln(stderr, "homeshore monitor: --mode:", err)
		return exitUsageErr
	}
	f.mode = mode
	if f.grant == "" && (f.backend == "" || f.backendUser == "") {
		fmt.Fprintln(stderr, "homeshore monitor: give --backend URL and --backend-user NAME to get a grant, or --grant TOKEN")
		return exitUsageErr
	}
	log := newLogger(stderr, f.verbose)
	if f.trace {
		sip.EnableTrace(log)
	}
	m := &monitorRun{flags: f, log: log, target: positional[0]}
	sum, err := m.run(ctx)
	if f.json {
		if werr := writeMonitorSummary(stdout, sum, err); werr != nil {
			fmt.Fprintln(stderr, "homeshore:", werr)
		}
	} else if sum.Answered {
		fmt.Fprintf(stdout, "%s session on %s: %s\n", sum.Mode, sum.Remote, sum.human())
	}
	if err != nil {
		fmt.Fprintln(stderr, oneLine(err))
		return ExitFailed
	}
	return ExitOK
}

type monitorRun struct {
	flags  monitorFlags
	log    *slog.Logger
	target string
}

func (m *monitorRun) run(ctx context.Context) (monitorSummary, error) {
	sum := monitorSummary{summary: summary{Direction: "outbound", Remote: m.target}, Mode: m.flags.mode, Modes: []modeRecord{}}
	cfg, err := m.flags.account.sipConfig(config.Keyring{})
	if err != nil {
		return sum, err
	}
	if cfg.Registrar == "" && cfg.OutboundProxy == "" && cfg.ListenAddr == "" {
		ip, err := localIPForTarget(m.target)
		if err != nil {
			return sum, err
		}
		cfg.ListenAddr = ip + ":0"
	}
	sum.Agent = m.agentName()
	grant := m.flags.grant
	if grant == "" {
		g, err := m.requestGrant(ctx, sum.Agent)
		if err != nil {
			return sum, err
		}
		grant, sum.GrantExpiresAt = g.Grant, g.ExpiresAt.UTC().Format(time.RFC3339)
	}
	cfg.MaxCalls = 1
	ua, err := sip.New(cfg, sip.WithLogger(m.log))
	if err != nil {
		return sum, err
	}
	defer ua.Close()
	if cfg.Registrar != "" {
		if err := ua.Register(ctx); err != nil {
			return sum, err
		}
	}
	audio, closeAudio, err := openAudio(callFlags{play: m.flags.play, record: m.flags.record,
		inputDevice: m.flags.inputDevice, outputDevice: m.flags.outputDevice}, m.log)
	if err != nil {
		return sum, err
	}
	defer closeAudio()
	start := time.Now()
	call, err := ua.Dial(ctx, m.target, audio, sip.MonitorDialOptions(m.flags.mode, grant)...)
	if err != nil {
		return sum, err
	}
	sum.Remote = call.Remote()
	waitCtx, cancel := context.WithTimeout(ctx, m.flags.ringTimeout.d)
	err = call.WaitAnswered(waitCtx)
	cancel()
	if err != nil {
		_ = call.Hangup(context.Background())
		<-call.Done()
		sum.fill(call)
		if sip.IsStatus(err, 403) {
			return sum, fmt.Errorf("the agent's app refused to be monitored (403): the grant is missing, expired, for another agent or mode, or monitoring is off in its policy: %w", err)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return sum, fmt.Errorf("the agent's app did not answer within %s", m.flags.ringTimeout.d)
		}
		return sum, err
	}
	sum.SetupMs = float64(time.Since(start).Microseconds()) / 1000
	sum.Modes = append(sum.Modes, modeRecord{Mode: m.flags.mode})
	m.session(ctx, call, &sum)
	sum.fill(call)
	return sum, call.End().Err
}

// agentName is whom the grant names: --agent, else the user part of the URI.
func (m *monitorRun) agentName() string {
	if m.flags.agent != "" {
		return m.flags.agent
	}
	user := strings.TrimPrefix(strings.TrimPrefix(m.target, "sips:"), "sip:")
	if at := strings.IndexByte(user, '@'); at >= 0 {
		return user[:at]
	}
	return user
}

// requestGrant logs in to the backend as the supervisor and asks for a grant.
func (m *monitorRun) requestGrant(ctx context.Context, agent string) (api.Grant, error) {
	pw, err := config.BackendPassword(config.Keyring{}, m.flags.backendUser, m.flags.backend)
	if err != nil {
		return api.Grant{}, err
	}
	be := backend.NewHTTPBackend(m.flags.backend, &backend.MemoryTokenStore{}, nil)
	if err := be.Login(ctx, m.flags.backendUser, pw); err != nil {
		return api.Grant{}, err
	}
	g, err := be.RequestGrant(ctx, agent, m.flags.mode)
	if err != nil {
		return api.Grant{}, fmt.Errorf("the backend gave no grant to monitor %s: %w", agent, err)
	}
	return g, nil
}

// session runs until --duration, the agent's call ending, or Ctrl-C,
// switching modes as --switch asks.
func (m *monitorRun) session(ctx context.Context, call *sip.Call, sum *monitorSummary) {
	switches := append([]modeSwitch(nil), m.flags.switches...)
	sort.SliceStable(switches, func(i, j int) bool { return switches[i].after < switches[j].after })
	answered := call.AnsweredAt()
	var deadline <-chan time.Time
	if m.flags.duration.d > 0 {
		t := time.NewTimer(m.flags.duration.d)
		defer t.Stop()
		deadline = t.C
	}
	next := time.NewTimer(time.Hour)
	defer next.Stop()
	arm := func() {
		if len(switches) > 0 {
			next.Reset(time.Until(answered.Add(switches[0].after)))
		}
	}
	arm()
	hangup := func() {
		if err := call.Hangup(context.Background()); err != nil && !errors.Is(err, sip.ErrCallEnded) {
			m.log.Warn("hang-up", "error", err)
		}
	}
	for {
		select {
		case <-next.C:
			if len(switches) == 0 {
				continue
			}
			s := switches[0]
			switches = switches[1:]
			rec := modeRecord{Mode: s.mode, AtS: round(time.Since(answered).Seconds(), 2)}
			swCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if err := call.SwitchMonitorMode(swCtx, s.mode); err != nil {
				rec.Error = oneLine(err)
				m.log.Warn("mode switch refused", "mode", s.mode, "error", err)
			} else {
				sum.Mode = s.mode
			}
			cancel()
			sum.Modes = append(sum.Modes, rec)
			arm()
		case <-deadline:
			hangup()
		case <-ctx.Done():
			hangup()
		case <-call.Done():
			return
		}
	}
}

func writeMonitorSummary(w io.Writer, s monitorSummary, err error) error {
	s.Result = "ok"
	if err != nil {
		s.Result = "failed"
		s.Error = oneLine(err)
		var se *sip.StatusError
		if errors.As(err, &se) {
			s.StatusCode = se.Code
		}
	}
	return json.NewEncoder(w).Encode(s)
}
