package consoletest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
)

// card is the Team view's card of a queue.
func card(queue string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`#view-team .queue-card[data-queue=%q]`, queue))
}

// member is a person's line in a queue's card.
func member(queue, user string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`#view-team .queue-card[data-queue=%q] li[data-user=%q]`, queue, user))
}

// auditRow is the line of the recent changes that records one.
func auditRow(action, queue, user string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`#team-audit tr[data-action=%q][data-queue=%q][data-target=%q]`, action, queue, user))
}

// until waits until the JavaScript expression is true in the page.
func until(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(waitFor))
}

// read is the text of the first element sel matches, read in one go: the
// Team view redraws its lists whenever data arrives.
func (p page) read(sel string) string {
	p.t.Helper()
	q, err := json.Marshal(sel)
	mustDo(p.t, err)
	return p.eval(`document.querySelector(` + string(q) + `)?.innerText ?? ''`)
}

// focused waits until the keyboard is on the element whose data-focus (or
// id) is want; what says when, for the failure.
func (p page) focused(want, what string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	q, err := json.Marshal(want)
	mustDo(p.t, err)
	if _, err := chromedp.Run(ctx, until(`((el) => el.dataset.focus || el.id)(document.activeElement) === `+string(q))); err != nil {
		got := p.eval(`((el) => el.dataset.focus || el.id || el.tagName)(document.activeElement)`)
		p.t.Fatalf("%s: the focus is on %q, want %q", what, got, want)
	}
}

// pageMembers reads every queue the Team view shows with its people, as
// the API names them (agents, then supervisors, in the order shown).
func (p page) pageMembers() map[string][]string {
	p.t.Helper()
	var out map[string][]string
	js := `JSON.stringify(Object.fromEntries([...document.querySelectorAll('#view-team .queue-card')].map((c) =>
		[c.dataset.queue, [...c.querySelectorAll('li[data-user]')].map((li) => li.dataset.user)])))`
	mustDo(p.t, json.Unmarshal([]byte(p.eval(js)), &out))
	return out
}

// apiMembers reads GET /v1/admin/queues in the same shape.
func apiMembers(list api.QueueList) map[string][]string {
	out := map[string][]string{}
	for _, q := range list.Queues {
		out[q.Name] = []string{}
		for _, m := range append(slices.Clone(q.Agents), q.Supervisors...) {
			out[q.Name] = append(out[q.Name], m.Username)
		}
	}
	return out
}

func sameMembers(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestConsoleTeamView drives the Team view in headless Chromium against a
// real server: a supervisor sees their queues and their people, adds an
// agent with the keyboard (listed, in the recent changes, on the
// wallboard), removes them after a confirmation (a cancelled one changes
// nothing), and the page agrees with GET /v1/admin/queues; the queue of
// another supervisor is neither shown nor changeable; a refusal and an
// unreachable server are said in words; times are in the browser's time
// zone; French labels; screenshots.
func TestConsoleTeamView(t *testing.T) {
	shots := screenshotDir(t)
	// The administrator of every queue, who sets the scene and plays the
	// other party.
	t.Setenv("HOMESHORE_ADMIN_USER", "ada")
	t.Setenv("HOMESHORE_ADMIN_PASSWORD", server.DemoPassword)
	base := startDemoServer(t)
	ada := loggedIn(t, base, "ada")
	// Sales belongs to another supervisor, Tom, with his agent Carol.
	mustDo(t, ada.Do(t.Context(), "POST", "/v1/queues", "", map[string]string{"name": "sales"}, nil))
	mustDo(t, ada.Do(t.Context(), "POST", "/v1/users", "", api.NewUser{Username: "tom", DisplayName: "Tom Sales",
		Password: server.DemoPassword, Role: api.RoleSupervisor, Queues: []string{"sales"}}, nil))
	mustDo(t, ada.Do(t.Context(), "POST", "/v1/users", "", api.NewUser{Username: "carol", DisplayName: "Carol Diaz",
		Password: server.DemoPassword, Role: api.RoleAgent, Queues: []string{"sales"}}, nil))
	adminQueues := func() map[string][]string {
		t.Helper()
		var list api.QueueList
		mustDo(t, ada.Do(t.Context(), "GET", "/v1/admin/queues", "", nil, &list))
		return apiMembers(list)
	}
	sales := adminQueues()["sales"]

	ctx := Browser(t, 1280, 900)
	errs := PageErrors(ctx)
	p := page{t: t, ctx: ctx, errors: errs}
	// New Caledonia (UTC+11, no summer time): the recent changes must show
	// the supervisor's local time, not the server's UTC.
	noumea := time.FixedZone("Nouméa", 11*3600)
	p.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Pacific/Noumea"})
		return err
	}))

	// Sam, supervisor of billing and support, opens the Team view.
	p.do(chromedp.Navigate(base + "/console/?lang=en#/team"))
	p.login("sam")
	p.do(chromedp.WaitVisible(member("billing", "alice")), chromedp.WaitVisible(member("support", "bob")),
		chromedp.WaitVisible(chromedp.CSS(`#nav-team[aria-current="page"]`)))
	if c := p.read(`#view-team .queue-card[data-queue="billing"]`); !strings.Contains(c, "Alice Agent") || !strings.Contains(c, "Sam Supervisor") {
		t.Fatalf("billing card: %q, want its agent and supervisor by name", c)
	}
	// Tom's queue and Tom's agent are nowhere in Sam's view.
	if n := p.eval(`String(document.querySelectorAll('#view-team [data-queue="sales"], #view-team option[value="carol"]').length)`); n != "0" {
		t.Fatal("sam's Team view shows sales or carol")
	}

	// Bob joins billing, chosen with the keyboard: type-ahead in the list,
	// Tab to Add, Enter.
	addBilling := chromedp.CSS(`#view-team .queue-card[data-queue="billing"] select`)
	p.do(chromedp.Focus(addBilling), chromedp.KeyEvent("Bob"))
	if v := p.eval(`document.querySelector('#view-team .queue-card[data-queue="billing"] select').value`); v != "bob" {
		t.Fatalf("typing Bob in billing's list picked %q", v)
	}
	p.do(chromedp.KeyEvent(kb.Tab))
	p.focused("addbtn:billing", "Tab from billing's list")
	p.do(chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(member("billing", "bob")), chromedp.WaitVisible(auditRow("add", "billing", "bob")))
	if s := p.text("#team-status"); s != "Bob Agent is now in billing." {
		t.Fatalf("status after adding: %q", s)
	}
	// Nobody is left to add to billing: the focus goes to the queue's name.
	p.focused("q:billing", "after adding")
	if c := p.read(`#view-team .queue-card[data-queue="billing"] .add-none`); c != "Everyone you can add is already in this queue." {
		t.Fatalf("billing's card after adding: %q", c)
	}
	if r := p.read(`#team-audit tr[data-action="add"][data-queue="billing"][data-target="bob"]`); !strings.Contains(r, "Sam Supervisor") ||
		!strings.Contains(r, "Added") || !strings.Contains(r, "Bob Agent") {
		t.Fatalf("recent change: %q", r)
	}
	p.shot(shots, "team-en")
	// The wallboard follows (the server sends it a new snapshot).
	p.do(chromedp.Click(chromedp.ID("nav-wallboard")), chromedp.WaitVisible(row("bob", "offline")),
		until(`document.querySelector('#wallboard tr[data-agent="bob"] td')?.textContent.includes('billing')`))

	// Removing asks first: Escape cancels and changes nothing.
	removeBob := chromedp.CSS(`#view-team .queue-card[data-queue="billing"] li[data-user="bob"] button.remove`)
	p.do(chromedp.Click(chromedp.ID("nav-team")), chromedp.WaitVisible(removeBob), chromedp.Click(removeBob),
		chromedp.WaitVisible(chromedp.CSS(`dialog#confirm[open]`)))
	if d := p.text("#confirm"); !strings.Contains(d, "Remove Bob Agent from billing?") {
		t.Fatalf("confirmation: %q", d)
	}
	p.focused("confirm-cancel", "the confirmation opens")
	p.shot(shots, "team-confirm-en")
	p.do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS(`dialog#confirm[open]`)), chromedp.WaitVisible(member("billing", "bob")))
	p.focused("rm:billing:bob", "after cancelling")
	p.do(chromedp.Click(removeBob), chromedp.WaitVisible(chromedp.ID("confirm-ok")), chromedp.Click(chromedp.ID("confirm-ok")),
		chromedp.WaitNotPresent(member("billing", "bob")), chromedp.WaitVisible(auditRow("remove", "billing", "bob")))
	if s := p.text("#team-status"); s != "Bob Agent is no longer in billing." {
		t.Fatalf("status after removing: %q", s)
	}
	p.focused("add:billing", "after removing (billing's list, to add back)")
	// The page shows what the server holds, for Sam and for the administrator.
	var list api.QueueList
	mustDo(t, json.Unmarshal([]byte(p.eval(`fetch('/v1/admin/queues').then(r => r.text())`)), &list))
	shown, held := p.pageMembers(), apiMembers(list)
	want := map[string][]string{"billing": {"alice", "sam"}, "support": {"bob", "sam"}}
	if !sameMembers(shown, held) || !sameMembers(held, want) {
		t.Fatalf("Team view %v, API %v, want %v", shown, held, want)
	}
	if all := adminQueues(); !slices.Equal(all["billing"], want["billing"]) || !slices.Equal(all["support"], want["support"]) {
		t.Fatalf("the administrator reads %v", all)
	}

	// Sam cannot change Tom's queue, even by calling the API from the page
	// with his session's CSRF token.
	for _, req := range []string{`put('/v1/admin/queues/sales/members/bob')`, `del('/v1/admin/queues/sales/members/carol')`} {
		res := p.eval(`import('/console/js/api.js').then((api) => api.` + req + `).then(() => 'done', (e) => e.status + ' ' + e.code)`)
		if res != "403 forbidden" {
			t.Fatalf("sam's %s: %s, want 403 forbidden", req, res)
		}
	}
	if got := adminQueues()["sales"]; !slices.Equal(got, sales) {
		t.Fatalf("sales is now %v, was %v", got, sales)
	}

	// A refusal is said in words: while Sam confirms removing Alice, the
	// administrator takes him out of billing; the card goes (live), and
	// the removal is refused.
	removeAlice := chromedp.CSS(`#view-team .queue-card[data-queue="billing"] li[data-user="alice"] button.remove`)
	p.do(chromedp.Click(removeAlice), chromedp.WaitVisible(chromedp.ID("confirm-ok")))
	mustDo(t, ada.Do(t.Context(), "DELETE", "/v1/admin/queues/billing/members/sam", "", nil, nil))
	p.do(chromedp.WaitNotPresent(card("billing")), chromedp.Click(chromedp.ID("confirm-ok")),
		until(`document.getElementById('team-error').textContent.includes('billing')`))
	if e := p.text("#team-error"); !strings.Contains(e, "You do not administer billing") || !strings.Contains(e, "administrator") {
		t.Fatalf("refused removal: %q", e)
	}
	if got := adminQueues()["billing"]; !slices.Equal(got, []string{"alice"}) {
		t.Fatalf("billing after the refused removal: %v, want alice only", got)
	}
	// The wallboard's queue filter follows Sam's own queues, no reload.
	hasBilling := `[...document.querySelectorAll('#wb-queue option')].some((o) => o.value === 'billing')`
	p.do(chromedp.Click(chromedp.ID("nav-wallboard")), chromedp.WaitVisible(chromedp.ID("wb-queue")), until(`!`+hasBilling))
	mustDo(t, ada.Do(t.Context(), "PUT", "/v1/admin/queues/billing/members/sam", "", nil, nil))
	p.do(until(hasBilling), chromedp.Click(chromedp.ID("nav-team")), chromedp.WaitVisible(member("billing", "alice")))

	// An unreachable server is said in words too; trying again once it is
	// back works.
	block := func(patterns ...*network.BlockPattern) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: patterns})
			return err
		})
	}
	addButton := chromedp.CSS(`#view-team .queue-card[data-queue="billing"] button[type="submit"]`)
	p.do(block(&network.BlockPattern{URLPattern: "*://*:*/v1/admin/queues/*/members/*", Block: true}),
		chromedp.SetValue(addBilling, "bob"), chromedp.Click(addButton), until(`document.getElementById('team-error').textContent.includes('cannot be reached')`))
	if e := p.text("#team-error"); !strings.Contains(e, "cannot be reached") || !strings.Contains(e, "check your connection") {
		t.Fatalf("add while the server is unreachable: %q", e)
	}
	if n := p.eval(`String(document.querySelectorAll('#view-team .queue-card[data-queue="billing"] li[data-user="bob"]').length)`); n != "0" {
		t.Fatal("bob is listed in billing after a failed add")
	}
	p.do(block(), chromedp.SetValue(addBilling, "bob"), chromedp.Click(addButton), chromedp.WaitVisible(member("billing", "bob")),
		chromedp.WaitVisible(chromedp.CSS(`#team-error:empty`)))

	// French: labels, and the time of a change in the browser's locale and
	// time zone.
	p.do(chromedp.SetValue(chromedp.ID("lang"), "fr"), chromedp.Evaluate[chromedp.Void](`document.getElementById('lang').dispatchEvent(new Event('change'))`),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"]`)), chromedp.WaitVisible(auditRow("remove", "billing", "bob")))
	for sel, want := range map[string]string{"#view-team h1": "Équipe", "#nav-team": "Équipe", "#team-audit-title": "Modifications récentes",
		`#view-team .queue-card[data-queue="billing"] li[data-user="alice"] button.remove`: "Retirer",
		`#view-team .queue-card[data-queue="support"] button[type="submit"]`:               "Ajouter",
		`#view-team .queue-card[data-queue="support"] .add-member label`:                   "Ajouter à la file support",
		`#team-audit thead`: "Date", `#team-audit tr[data-action="remove"][data-queue="billing"][data-target="bob"] td:nth-child(3)`: "Retrait"} {
		if got := p.read(sel); !strings.Contains(got, want) {
			t.Errorf("%s in French: %q, want %q", sel, got, want)
		}
	}
	at := p.eval(`document.querySelector('#team-audit tr[data-action="remove"][data-queue="billing"][data-target="bob"] time').getAttribute('datetime')`)
	when, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		t.Fatalf("datetime %q: %v", at, err)
	}
	local := when.In(noumea).Format("02/01/2006 15:04")
	if got := p.read(`#team-audit tr[data-action="remove"][data-queue="billing"][data-target="bob"] time`); got != local {
		t.Errorf("time of the change in French in Nouméa: %q, want %q", got, local)
	}
	if missing := p.eval(`import('/console/js/i18n.js').then((m) => Object.keys(m._keys.en).filter((k) => !(k in m._keys.fr)).join(' '))`); missing != "" {
		t.Errorf("keys without French: %s", missing)
	}
	p.shot(shots, "team-fr")
	p.do(chromedp.EmulateViewport(820, 1180), chromedp.WaitVisible(member("billing", "alice")))
	p.shot(shots, "team-tablet-fr")
	p.do(chromedp.EmulateViewport(1280, 900))

	// Tom sees his queue only, and the changes to it only.
	p.do(chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	p.login("tom")
	p.do(chromedp.Navigate(base+"/console/#/team"), chromedp.WaitVisible(member("sales", "carol")))
	if got := p.pageMembers(); !sameMembers(got, map[string][]string{"sales": sales}) {
		t.Fatalf("tom's Team view: %v, want sales %v only", got, sales)
	}
	if n := p.eval(`String(document.querySelectorAll('#team-audit tr[data-queue="billing"]').length)`); n != "0" {
		t.Fatal("tom sees the changes to billing")
	}
	if errs := errs(); len(errs) > 0 {
		t.Fatalf("the page reported errors:\n%s", strings.Join(errs, "\n"))
	}
}
