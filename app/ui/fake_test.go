package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// fake is a scripted core for logic tests: every call is recorded and
// returns at once, so the GUI's async work can run inline.
type fake struct {
	mu          sync.Mutex
	now         time.Time
	registerErr error
	logErr      error
	createErr   error
	queues      []string
	// consult offers attended transfer and conference.
	consult bool
	// completeErr fails CompleteTransfer; duringComplete runs while it does.
	completeErr    error
	duringComplete func()
	// longDevice gives the speakers a long verdict (it used to widen the window).
	longDevice bool
	report     CheckReport
	// messages, when set, is the messages and help client.
	messages MessageClient
	// checkRun, when set, runs the check instead of returning report.
	checkRun   func(context.Context, CheckAgent) (CheckReport, error)
	calls      []string
	registered []Account
	states     []AgentState
	logs       []CallLog
	secrets    map[string]string
	account    Account
	settings   Settings
	locked     Locked
	tickets    map[string][]Ticket
	summary    ShiftSummary
	reasons    []ReasonCode
	disps      []Disposition
	events     chan Event
}

func newFake() *fake {
	return &fake{
		now:     time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
		secrets: map[string]string{},
		report: CheckReport{CanStart: true, Results: []CheckResult{
			{Name: "Headset", Verdict: VerdictPass, Figures: Plain("USB headset")},
			{Name: "Quiet room", Verdict: VerdictWarn, Figures: Plain("noise 41 dBA, limit 45"), Fix: Plain("Close the door")},
		}},
		tickets: map[string][]Ticket{"+33612345678": {
			{ID: "1042", Subject: "Internet box reboots", Status: "open", Updated: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)},
		}},
		events: make(chan Event, 16),
		reasons: []ReasonCode{{Code: "training", State: StateNotReady}, {Code: "tech", State: StateNotReady},
			{Code: "lunch", State: StateBreak}},
		disps: []Disposition{{Code: "resolved", Label: "Resolved"}, {Code: "callback", Label: "Call back"},
			{Code: "transferred", Label: "Transferred"}, {Code: "missed", Label: "Missed"}},
		queues: []string{"support"},
	}
}

// configured makes the fake look like an installed machine.
func (f *fake) configured() *fake {
	f.account = Account{Server: "sip.example.com", User: "1001", Transport: "udp", BackendURL: "https://tickets.example.com", AgentLogin: "agent7"}
	f.secrets[SecretSIPPassword] = "s3cret"
	return f
}

func (f *fake) backend() Backend {
	be := Backend{Phone: f, Shift: f, Tickets: f, Checker: f, Devices: f, Secrets: f, Config: f, Events: f,
		Codecs: []string{"opus", "pcmu", "pcma"}, Clock: f.clock}
	if f.consult {
		be.Consult = f
	}
	if f.messages != nil {
		be.Messages = f.messages
	}
	return be
}

func (f *fake) Consult(_ context.Context, id, target string) (CallInfo, error) {
	f.record("consult " + id + " " + target)
	return CallInfo{ID: "consult-1", Remote: target, Direction: Outbound, Started: f.clock()}, nil
}
func (f *fake) CompleteTransfer(_ context.Context, held, consult string) error {
	f.record("complete " + held + " " + consult)
	if f.duringComplete != nil {
		f.duringComplete()
	}
	return f.completeErr
}
func (f *fake) Conference(_ context.Context, held, consult string) error {
	f.record("conference " + held + " " + consult)
	return nil
}

func (f *fake) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fake) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fake) record(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fake) Events() <-chan Event { return f.events }

func (f *fake) Register(_ context.Context, a Account) error {
	f.record("register")
	f.registered = append(f.registered, a)
	return f.registerErr
}
func (f *fake) Dial(_ context.Context, n string) (CallInfo, error) {
	f.record("dial " + n)
	return CallInfo{ID: "out-1", Remote: n, Direction: Outbound, Started: f.clock()}, nil
}
func (f *fake) Answer(_ context.Context, id string) error { f.record("answer " + id); return nil }
func (f *fake) Reject(_ context.Context, id string) error { f.record("reject " + id); return nil }
func (f *fake) Hangup(_ context.Context, id string) error { f.record("hangup " + id); return nil }
func (f *fake) Mute(id string, on bool) error             { f.record("mute " + id + onOff(on)); return nil }
func (f *fake) SendDTMF(id, d string) error               { f.record("dtmf " + d); return nil }
func (f *fake) Transfer(_ context.Context, id, t string) error {
	f.record("transfer " + t)
	return nil
}
func (f *fake) Hold(_ context.Context, id string, on bool) error {
	f.record("hold " + id + onOff(on))
	return nil
}

func onOff(on bool) string {
	if on {
		return " on"
	}
	return " off"
}

func (f *fake) ClockIn(_ context.Context, r CheckReport, override string) error {
	f.record("clockin " + override)
	return nil
}
func (f *fake) SetState(_ context.Context, s AgentState, reason string) error {
	f.states = append(f.states, s)
	f.record("state " + reason)
	return nil
}
func (f *fake) ClockOut(context.Context) (ShiftSummary, error) {
	f.record("clockout")
	return f.summary, nil
}
func (f *fake) EndWrapUp(_ context.Context, disposition string, next *NextState) error {
	s := "endwrapup " + disposition
	if next != nil {
		s += fmt.Sprintf(" -> %d %s", next.State, next.Reason)
	}
	f.record(s)
	return nil
}
func (f *fake) Reasons() []ReasonCode { return f.reasons }

func (f *fake) LookupByPhone(_ context.Context, p string) ([]Ticket, error) { return f.tickets[p], nil }
func (f *fake) Ticket(_ context.Context, id string) (Ticket, error) {
	for _, list := range f.tickets {
		for _, t := range list {
			if t.ID == id {
				return t, nil
			}
		}
	}
	return Ticket{}, errNotFound
}
func (f *fake) AddNote(_ context.Context, id, text string) error {
	for _, list := range f.tickets {
		for i := range list {
			if list[i].ID == id {
				list[i].Notes = append(list[i].Notes, Note{Author: "agent7", Body: text, At: f.clock(), Pending: true})
				f.record("note " + id + " " + text)
				return nil
			}
		}
	}
	return errNotFound
}
func (f *fake) Queues(context.Context) ([]string, error) { return f.queues, nil }
func (f *fake) Dispositions(context.Context) ([]Disposition, error) {
	return f.disps, nil
}
func (f *fake) LogCall(_ context.Context, l CallLog) (string, error) {
	if f.logErr != nil {
		return "", f.logErr
	}
	if l.CreateTicket {
		if f.createErr != nil {
			return "", f.createErr
		}
		l.TicketID = "2001"
		f.tickets[l.Remote] = append(f.tickets[l.Remote], Ticket{ID: l.TicketID, Subject: l.Subject, Customer: l.CustomerName, Queue: l.Queue, Status: "open"})
	}
	f.logs = append(f.logs, l)
	return l.TicketID, nil
}

func (f *fake) Run(ctx context.Context, agent CheckAgent) (CheckReport, error) {
	agent.Progress(CheckProgress{Step: 1, Steps: 2, Current: Plain("Quiet room"), MicLevel: 0.3, QuietLeft: 4 * time.Second})
	if f.checkRun != nil {
		return f.checkRun(ctx, agent)
	}
	return f.report, nil
}

func (f *fake) Devices(context.Context) ([]Device, error) {
	spk := Plain("speakers leak")
	if f.longDevice {
		spk = Text{Key: "check.msg.built_in_speaker", Args: []any{`"Built-in Audio Analog Stereo (HDA Intel PCH, ALC3246 Analog)"`}}
	}
	return []Device{
		{ID: "hs-in", Name: "USB headset", Kind: DeviceInput, Verdict: VerdictPass},
		{ID: "hs-out", Name: "USB headset", Kind: DeviceOutput, Verdict: VerdictPass},
		{ID: "spk", Name: "Laptop speakers", Kind: DeviceOutput, Verdict: VerdictFail, Note: spk},
	}, nil
}

var errNotFound = errors.New("not found")

func (f *fake) Set(k, v string) error { f.secrets[k] = v; return nil }
func (f *fake) Get(k string) (string, error) {
	v, ok := f.secrets[k]
	if !ok {
		return "", errNotFound
	}
	return v, nil
}

func (f *fake) Load() (Account, Settings, error) { return f.account, f.settings, nil }
func (f *fake) SaveAccount(a Account) error      { f.account = a; return nil }
func (f *fake) SaveSettings(s Settings) error    { f.settings = s; return nil }
func (f *fake) Locked() Locked                   { return f.locked }
