package consoletest

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/homeshore/homeshore/app/backend"
	"github.com/homeshore/homeshore/app/livestatus"
	"github.com/homeshore/homeshore/app/messages"
	"github.com/homeshore/homeshore/app/tickets"
	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// waitFor bounds one wait for the page (a loaded 2-core CI machine).
const waitFor = 60 * time.Second

// page runs actions on the browser tab, each wait bounded by waitFor.
type page struct {
	t      *testing.T
	ctx    context.Context
	errors func() []string
}

func (p page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		dump, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
		p.t.Fatalf("browser: %v; the page shows:\n%s\nerrors: %v", err, dump, p.errors())
	}
}

func (p page) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (p page) eval(js string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// shot saves a screenshot of the viewport as name.png in the screenshot
// folder ($HOMESHORE_CONSOLE_SCREENSHOTS, else a temporary one).
func (p page) shot(dir, name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitFor)
	defer cancel()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(b) < 10000 {
		p.t.Fatalf("screenshot %s is only %d bytes", name, len(b))
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// screenshotDir is where screenshots go: $HOMESHORE_CONSOLE_SCREENSHOTS,
// else a temporary folder.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("HOMESHORE_CONSOLE_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (p page) login(user string) {
	p.t.Helper()
	p.do(chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SetValue(chromedp.ID("login-user"), user),
		chromedp.SetValue(chromedp.ID("login-pass"), server.DemoPassword),
		chromedp.Click(chromedp.ID("login-submit")))
}

// row is the wallboard row of an agent in a state.
func row(user, state string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`#wallboard tr[data-agent=%q][data-state=%q]`, user, state))
}

func loggedIn(t *testing.T, url, user string) *backend.HTTPBackend {
	t.Helper()
	b := backend.NewHTTPBackend(url, &backend.MemoryTokenStore{}, nil)
	if err := b.Login(t.Context(), user, server.DemoPassword); err != nil {
		t.Fatal(err)
	}
	return b
}

// agent is the scripted agent: the app's own client packages (tickets
// outbox for shift events and call logs, live status, messages) against
// the real server.
type agent struct {
	t       *testing.T
	tickets *tickets.Client
	live    *livestatus.Reporter
	msgs    *messages.Client
	events  chan messages.Event
}

func startAgent(t *testing.T, url, user string) *agent {
	t.Helper()
	be := loggedIn(t, url, user)
	dir := t.TempDir()
	tc, err := tickets.Open(filepath.Join(dir, "tickets.db"), be, tickets.Options{AgentName: user})
	if err != nil {
		t.Fatal(err)
	}
	a := &agent{t: t, tickets: tc, live: livestatus.New(livestatus.NewHTTPSender(be), livestatus.Options{QualityEvery: time.Second}),
		events: make(chan messages.Event, 100)}
	a.msgs, err = messages.Open(filepath.Join(dir, "messages.db"), messages.NewHTTPBackend(be),
		messages.Options{Me: user, Notify: func(e messages.Event) { a.events <- e }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 3)
	for _, run := range []func(context.Context) error{tc.Run, a.live.Run, a.msgs.Run} {
		go func() { _ = run(ctx); done <- struct{}{} }()
	}
	t.Cleanup(func() {
		cancel()
		for range 3 {
			<-done
		}
		tc.Close()
		a.msgs.Close()
	})
	return a
}

// state moves the agent like app/core does: an agent event through the
// ticket outbox and the live status at once.
func (a *agent) state(kind, state, reason string, at time.Time, pc *api.Precheck) {
	a.t.Helper()
	if err := a.tickets.RecordAgentEvent(a.t.Context(), api.AgentEvent{Kind: kind, State: state, Reason: reason, At: at, Precheck: pc}); err != nil {
		a.t.Fatal(err)
	}
	if kind == api.EventClockIn {
		reason = ""
	}
	// The live status says "since now": the reporter already told the
	// wallboard "offline since the app started", and an older state never
	// overrides a newer one. (The test back-dates the events for indicators.)
	a.live.SetState(state, reason, time.Now())
}

const failedReport = `{"schema":1,"verdict":"fail","checks":[
{"name":"headset","verdict":"pass","mandatory":true,"findings":[],"figures":{"bus":"usb","form_factor":"headset"}},
{"name":"room","verdict":"fail","mandatory":true,"findings":[{"code":"noise_high","verdict":"fail","message":"Close the door; noise 52 dBA, limit 45"}],"figures":{"l90_dbfs":-38.5,"l10_dbfs":-31.2,"limit_dbfs":-45}},
{"name":"network","verdict":"warn","mandatory":true,"findings":[{"code":"jitter_high","verdict":"warn","message":"Jitter 24 ms, limit 20 ms"}],"figures":{"rtt_ms":38,"jitter_ms":24,"loss_pct":0.2}}]}`

// startDemoServer builds and starts a homeshore-server on the demo data
// with a monitoring key, stopped when the test ends, and returns its URL.
func startDemoServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin, err := servertest.BuildServer(dir)
	if err != nil {
		t.Fatal(err)
	}
	return servertest.StartProcess(t, bin, servertest.Options{DBPath: dir + "/db", Args: []string{"--demo", "--monitor-key", dir + "/key"}}).URL
}

// TestConsoleEndToEnd drives the supervisors' console in headless Chromium
// against a real server while a scripted agent clocks in, takes a call and
// goes to wrap-up: the wallboard follows live, help is highlighted until
// taken, indicators and their CSV agree with the API, an agent cannot log
// in, a supervisor of another queue sees nothing of the agent.
func TestConsoleEndToEnd(t *testing.T) {
	shots := screenshotDir(t)
	base := startDemoServer(t)
	sam := loggedIn(t, base, "sam")
	mustDo(t, sam.Do(t.Context(), "POST", "/v1/users", "", api.NewUser{Username: "sue", DisplayName: "Sue Support",
		Password: server.DemoPassword, Role: api.RoleSupervisor, Queues: []string{"support"}}, nil))
	team := seedTeam(t, base, sam)

	ctx := Browser(t, 1280, 900)
	errs := PageErrors(ctx)
	p := page{t: t, ctx: ctx, errors: errs}

	// An agent is refused, with a message that says what to use instead.
	p.do(chromedp.Navigate(base + "/console/?lang=en"))
	p.login("alice")
	p.do(chromedp.WaitVisible(chromedp.CSS("#login-error:not(:empty)")))
	if msg := p.text("#login-error"); !strings.Contains(msg, "for supervisors") {
		t.Fatalf("agent login: %q", msg)
	}
	if st := p.eval(`fetch('/v1/console/session').then(r => String(r.status))`); st != "401" {
		t.Fatalf("an agent got a console session: %s", st)
	}

	// The supervisor: the wallboard lists alice, offline.
	p.login("sam")
	p.do(chromedp.WaitVisible(row("alice", "offline")), chromedp.WaitVisible(chromedp.CSS("#live-state.live")))

	// Alice clocks in after a failed check she overrode: live, no reload.
	alice := startAgent(t, base, "alice")
	clockIn := time.Now().UTC().Add(-40 * time.Minute)
	alice.state(api.EventClockIn, api.StateAvailable, "Door closed, street works outside", clockIn,
		&api.Precheck{Passed: false, Report: json.RawMessage(failedReport)})
	// The live status may show her available before the clock-in event
	// (through the outbox) brings the check.
	p.do(chromedp.WaitVisible(row("alice", "available")), chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"] td.precheck .failed-checks`)))
	if pc := p.text(`tr[data-agent="alice"] td.precheck`); !strings.Contains(pc, "Failed") || !strings.Contains(pc, "Quiet room") {
		t.Fatalf("pre-shift cell: %q", pc)
	}
	// A call comes in, is answered; quality arrives every second.
	start := time.Now().UTC().Add(-3 * time.Minute)
	answered := start.Add(8 * time.Second)
	call := &api.LiveCall{ID: "e2e-call-1@pbx", Direction: api.Inbound, Number: "+33 6 12 34 56 78", StartedAt: start}
	alice.live.SetCall(call)
	call.AnsweredAt = &answered
	alice.live.SetCall(call)
	alice.state(api.EventState, api.StateOnCall, "", answered, nil)
	alice.live.SetQuality(call.ID, api.CallQuality{Codec: "opus", MOS: 4.3, LossPct: 0.4, JitterMs: 9})
	p.do(chromedp.WaitVisible(row("alice", "on_call")),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"] td.quality .mos.good`)))
	if c := p.text(`tr[data-agent="alice"] td.call`); !strings.Contains(c, "+33612345678") {
		t.Fatalf("call cell: %q", c)
	}
	// A second call rings meanwhile (call waiting): the call in progress
	// stays in the cell with its quality, the waiting one shows below it.
	waiting := &api.LiveCall{ID: "e2e-call-2@pbx", Direction: api.Inbound, Number: "+33 6 98 76 54 32", StartedAt: time.Now().UTC()}
	alice.live.SetCalls(call, waiting)
	p.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"] td.call .waiting`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"] td.quality .mos.good`)))
	if c := p.text(`tr[data-agent="alice"] td.call .current`); !strings.Contains(c, "+33612345678") || strings.Contains(c, "+33698765432") {
		t.Fatalf("the call in progress during call waiting: %q", c)
	}
	if w := p.text(`tr[data-agent="alice"] td.call .waiting`); !strings.Contains(w, "Call waiting") || !strings.Contains(w, "+33698765432") {
		t.Fatalf("the waiting call: %q", w)
	}
	// A help request is highlighted until taken.
	if _, err := alice.msgs.Help(t.Context(), "Customer asks for a refund over my limit"); err != nil {
		t.Fatal(err)
	}
	p.do(chromedp.WaitVisible(chromedp.CSS(`.help-banner button.take`)), chromedp.WaitVisible(chromedp.CSS(`tr.asking-help[data-agent="alice"]`)))
	p.shot(shots, "wallboard-en")
	p.do(chromedp.Click(chromedp.CSS(`.help-banner button.take`)), chromedp.WaitNotPresent(chromedp.CSS(`.help-banner`)),
		chromedp.WaitNotPresent(chromedp.CSS(`tr.asking-help[data-agent="alice"]`)))
	waitMsg(t, alice.events, func(e messages.HelpTaken) bool { return e.Message.TakenBy == "sam" })
	alice.live.SetCalls(call, nil) // the waiting caller gave up
	p.do(chromedp.WaitNotPresent(chromedp.CSS(`tr[data-agent="alice"] td.call .waiting`)))

	// The call ends: wrap-up, then logged and back to available.
	ended := time.Now().UTC().Add(-30 * time.Second)
	alice.live.SetCall(nil)
	alice.state(api.EventState, api.StateWrapUp, "", ended, nil)
	p.do(chromedp.WaitVisible(row("alice", "wrap_up")))
	log := api.CallLog{CallID: call.ID, Direction: api.Inbound, Number: call.Number, StartedAt: start, AnsweredAt: &answered, EndedAt: ended,
		Disposition: "resolved", Note: "Refund escalated to billing.", TicketID: "demo-1",
		Quality: api.CallQuality{Codec: "opus", MOS: 4.3, LossPct: 0.4, JitterMs: 9}}
	if err := alice.tickets.LogCall(t.Context(), log); err != nil {
		t.Fatal(err)
	}
	alice.state(api.EventState, api.StateAvailable, "", time.Now().UTC(), nil)
	p.do(chromedp.WaitVisible(row("alice", "available")))
	mustDo(t, alice.tickets.SyncOnce(t.Context()))
	// Alice's phone line drops while she is Available: calls no longer
	// reach her, and the wallboard says so, with since when.
	lost := time.Now().UTC().Add(-2 * time.Minute)
	alice.live.SetLine(api.LiveLine{State: api.LineReconnecting, Since: &lost, Detail: "no answer from the SIP server"})
	p.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"][data-state="available"][data-line="reconnecting"] td.state .line-note`)))
	if s := p.text(`tr[data-agent="alice"] td.state`); !strings.Contains(s, "Available") || !strings.Contains(s, "Phone line down") ||
		!regexp.MustCompile(`\b2:\d\d\b`).MatchString(s) {
		t.Fatalf("state cell during a line outage: %q, want Available, the line down and for about 2 minutes", s)
	}
	if n := p.text("#count-line"); n != "1" {
		t.Fatalf("line-down tile counts %q", n)
	}
	// A missed call made her Not ready: the reason is named in words, not
	// as the app's code.
	alice.state(api.EventState, api.StateNotReady, "missed_call", time.Now().UTC(), nil)
	p.do(chromedp.WaitVisible(row("alice", "not_ready")))
	if s := p.text(`tr[data-agent="alice"] td.state`); !strings.Contains(s, "Missed call") || strings.Contains(s, "missed_call") {
		t.Fatalf("state cell after a missed call: %q, want the reason 'Missed call'", s)
	}
	alice.state(api.EventState, api.StateAvailable, "", time.Now().UTC(), nil)
	p.do(chromedp.WaitVisible(row("alice", "available")))

	// Messages: one to alice, from the console.
	p.do(chromedp.Navigate(base+"/console/#/messages/alice"), chromedp.WaitVisible(chromedp.ID("msg-body")),
		chromedp.SetValue(chromedp.ID("msg-body"), "Well handled. Take your break at 11."),
		chromedp.Click(chromedp.ID("msg-send")))
	waitMsg(t, alice.events, func(e messages.Received) bool { return e.Message.Body == "Well handled. Take your break at 11." })
	p.do(chromedp.WaitVisible(chromedp.CSS(`#msg-thread li.mine`)))
	p.shot(shots, "messages-en")

	// Indicators, and the CSV export matches the API.
	// The day of the call (the test may straddle midnight UTC).
	today := start.Format(time.DateOnly)
	p.do(chromedp.Navigate(base+"/console/#/indicators"), chromedp.WaitVisible(chromedp.ID("ind-from")),
		chromedp.SetValue(chromedp.ID("ind-from"), today), chromedp.SetValue(chromedp.ID("ind-to"), today), chromedp.Click(chromedp.ID("ind-show")),
		chromedp.WaitVisible(chromedp.CSS(`#ind-agents tr[data-key="alice"]`)), chromedp.WaitVisible(chromedp.ID("chart-calls")))
	// The view may redraw meanwhile (live data): wait for the figure.
	handled := `document.querySelector('#ind-agents tr[data-key="alice"] td[data-col="calls_handled"]')?.textContent`
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[chromedp.Void](handled+` === '1'`, chromedp.WithPollingInterval(100*time.Millisecond),
		chromedp.WithPollingTimeout(waitFor))); err != nil {
		t.Fatalf("alice handled %q calls on the indicators page (%v)", p.eval(handled+` ?? ''`), err)
	}
	p.shot(shots, "indicators-en")
	href := p.eval(`document.getElementById('ind-csv').getAttribute('href')`)
	if href != "/v1/indicators.csv?from="+today+"&to="+today {
		t.Fatalf("CSV link %q", href)
	}
	// Open shifts grow between two requests: the CSV, read between two
	// reads of the API, must lie between them (counts exactly equal).
	var before, after api.IndicatorsReport
	indicatorsJS := `fetch('/v1/indicators?from=` + today + `&to=` + today + `').then(r => r.text())`
	mustDo(t, json.Unmarshal([]byte(p.eval(indicatorsJS)), &before))
	csvText := p.eval(`fetch(document.getElementById('ind-csv').href).then(r => r.text())`)
	mustDo(t, json.Unmarshal([]byte(p.eval(indicatorsJS)), &after))
	compareCSV(t, csvText, before, after)

	// Drill-down: alice's day.
	p.do(chromedp.Click(chromedp.CSS(`#ind-agents tr[data-key="alice"] th a`)), chromedp.WaitVisible(chromedp.ID("ag-timeline")),
		chromedp.WaitVisible(chromedp.CSS(`#ag-calls tr[data-call="e2e-call-1@pbx"]`)))
	if rep := p.text(`#view-agent .report`); !strings.Contains(rep, "52 dBA") || !strings.Contains(rep, "l90_dbfs") {
		t.Fatalf("pre-shift report in the drill-down: %q", rep)
	}
	if row := p.text(`#ag-calls tr[data-call="e2e-call-1@pbx"]`); !strings.Contains(row, "Resolved") {
		t.Fatalf("the call's outcome in the drill-down: %q, want its label", row)
	}
	p.shot(shots, "agent-en")

	// French, and a tablet.
	p.do(chromedp.Navigate(base+"/console/#/wallboard"), chromedp.WaitVisible(row("alice", "available")),
		chromedp.SetValue(chromedp.ID("lang"), "fr"), chromedp.Evaluate[chromedp.Void](`document.getElementById('lang').dispatchEvent(new Event('change'))`))
	p.do(chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"]`)))
	if s := p.text(`tr[data-agent="alice"] td.state`); !strings.Contains(s, "Disponible") || !strings.Contains(s, "Ligne téléphonique coupée") {
		t.Fatalf("French state: %q", s)
	}
	if s := p.text(`tr[data-agent="alice"] td.precheck .failed-checks`); s != "Pièce calme" {
		t.Fatalf("French failed check: %q, want the check's name in French", s)
	}
	p.shot(shots, "wallboard-fr")
	alice.live.SetLine(api.LiveLine{State: api.LineRegistered})
	p.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-agent="alice"][data-line="registered"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`tr[data-agent="alice"] td.state .line-note`)))
	p.do(chromedp.Navigate(base+"/console/#/indicators"), chromedp.WaitVisible(chromedp.CSS(`#ind-agents tr[data-key="alice"]`)))
	p.shot(shots, "indicators-fr")
	p.do(chromedp.Navigate(base+"/console/#/agent/"+team["alice"]+"?day="+today), chromedp.WaitVisible(chromedp.ID("ag-timeline")),
		chromedp.WaitVisible(chromedp.CSS(`#ag-calls tr[data-call="e2e-call-1@pbx"]`)))
	if row := p.text(`#ag-calls tr[data-call="e2e-call-1@pbx"]`); !strings.Contains(row, "Résolu") {
		t.Fatalf("the call's outcome in French: %q", row)
	}
	if rep := p.text(`#view-agent .report`); !strings.Contains(rep, "Pièce calme") {
		t.Fatalf("the failed check's name in French: %q", rep)
	}
	p.shot(shots, "agent-fr")
	p.do(chromedp.EmulateViewport(820, 1180), chromedp.Navigate(base+"/console/#/wallboard"), chromedp.WaitVisible(row("alice", "available")))
	p.shot(shots, "wallboard-tablet-fr")
	p.do(chromedp.EmulateViewport(1280, 900), chromedp.SetValue(chromedp.ID("lang"), "en"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('lang').dispatchEvent(new Event('change'))`))

	// A supervisor of another queue sees nothing of alice.
	p.do(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	p.login("sue")
	p.do(chromedp.WaitVisible(row("bob", "offline")))
	if n := p.eval(`String(document.querySelectorAll('#wallboard tr[data-agent="alice"]').length)`); n != "0" {
		t.Fatal("sue's wallboard shows alice")
	}
	p.do(chromedp.Navigate(base+"/console/#/indicators"), chromedp.WaitVisible(chromedp.CSS(`#ind-agents tr[data-key="bob"]`)))
	if n := p.eval(`String(document.querySelectorAll('#ind-agents tr[data-key="alice"]').length)`); n != "0" {
		t.Fatal("sue's indicators show alice")
	}
	if csv := p.eval(`fetch('/v1/indicators.csv?from=` + today + `&to=` + today + `').then(r => r.text())`); strings.Contains(csv, "alice") {
		t.Fatalf("sue's CSV holds alice:\n%s", csv)
	}
	p.do(chromedp.Navigate(base+"/console/#/agent/"+team["alice"]), chromedp.WaitVisible(chromedp.CSS(`#view-agent .error`)))
	if st := p.eval(`fetch('/v1/agents/` + team["alice"] + `/timeline').then(r => String(r.status))`); st != "404" {
		t.Fatalf("sue reads alice's timeline: %s", st)
	}
	if st := p.eval(`fetch('/v1/calls?agent_id=` + team["alice"] + `').then(r => String(r.status))`); st != "403" {
		t.Fatalf("sue reads alice's calls: %s", st)
	}
	// Writes from the page without the CSRF token are refused.
	if st := p.eval(`fetch('/v1/help/x/take', {method: 'POST'}).then(r => String(r.status))`); st != "403" {
		t.Fatalf("a write without the CSRF token: %s", st)
	}
	if errs := errs(); len(errs) > 0 {
		t.Fatalf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func waitMsg[T messages.Event](t *testing.T, events <-chan messages.Event, match func(T) bool) {
	t.Helper()
	timeout := time.After(waitFor)
	for {
		select {
		case e := <-events:
			if v, ok := e.(T); ok && match(v) {
				return
			}
		case <-timeout:
			var zero T
			t.Fatalf("the agent got no %T within %v", zero, waitFor)
		}
	}
}

// compareCSV checks that every row of the CSV export holds the figures of
// the API's answers read just before and just after it.
func compareCSV(t *testing.T, text string, before, after api.IndicatorsReport) {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, text)
	}
	if len(recs) != 1+len(after.Queues)+len(after.Agents) || len(after.Agents) == 0 {
		t.Fatalf("CSV has %d rows for %d queues and %d agents", len(recs)-1, len(after.Queues), len(after.Agents))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	lo := append(append([]api.Indicators{}, before.Queues...), before.Agents...)
	hi := append(append([]api.Indicators{}, after.Queues...), after.Agents...)
	for i := range hi {
		rec, a, b := recs[i+1], figures(lo[i]), figures(hi[i])
		if rec[col["username"]] != hi[i].Username || rec[col["queue"]] != hi[i].Queue {
			t.Errorf("CSV row %d names %q/%q, API %q/%q", i+1, rec[col["queue"]], rec[col["username"]], hi[i].Queue, hi[i].Username)
		}
		for name, want := range b {
			c, ok := col[name]
			if !ok {
				t.Errorf("CSV has no column %s", name)
				continue
			}
			got, err := strconv.ParseFloat(rec[c], 64)
			if err != nil || got < min(a[name], want) || got > max(a[name], want) {
				t.Errorf("CSV row %d (%s%s) %s = %q, API %v then %v", i+1, hi[i].Queue, hi[i].Username, name, rec[c], a[name], want)
			}
		}
	}
}

// figures flattens a row of indicators as the CSV names its columns.
func figures(r api.Indicators) map[string]float64 {
	out := map[string]float64{"calls_handled": float64(r.CallsHandled), "calls_missed": float64(r.CallsMissed),
		"inbound": float64(r.Inbound), "outbound": float64(r.Outbound), "avg_handle_seconds": r.AvgHandleSeconds,
		"talk_seconds": r.TalkSeconds, "wrap_up_seconds": r.WrapUpSeconds, "avg_mos": r.AvgMOS, "precheck_failures": float64(r.PrecheckFailures)}
	for k, v := range r.StateSeconds {
		out["state_seconds."+k] = v
	}
	for k, v := range r.Dispositions {
		out["dispositions."+k] = float64(v)
	}
	for k, v := range r.PrecheckFailuresByCheck {
		out["precheck_failures_by_check."+k] = float64(v)
	}
	return out
}
