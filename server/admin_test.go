package server_test

import (
	"slices"
	"testing"
	"time"

	"github.com/homeshore/homeshore/server"
	"github.com/homeshore/homeshore/server/api"
	"github.com/homeshore/homeshore/server/servertest"
)

// TestQueueAdminSQLite: queue administration on the single-process default.
func TestQueueAdminSQLite(t *testing.T) {
	t.Setenv("HOMESHORE_ADMIN_USER", "root")
	t.Setenv("HOMESHORE_ADMIN_PASSWORD", server.DemoPassword)
	p := startServer(t, "sqlite")
	testQueueAdmin(t, p.URL, p.URL)
}

// TestQueueAdminAcrossReplicas: the changes made on one replica reach the
// streams open on another (the live event table and NOTIFY).
func TestQueueAdminAcrossReplicas(t *testing.T) {
	t.Setenv("HOMESHORE_ADMIN_USER", "root")
	t.Setenv("HOMESHORE_ADMIN_PASSWORD", server.DemoPassword)
	dsn := newPgDatabase(t)
	args := []string{"--demo", "--monitor-key", t.TempDir() + "/monitor.key"}
	a := servertest.StartProcess(t, serverBin, servertest.Options{PgDSN: dsn, Args: args})
	b := servertest.StartProcess(t, serverBin, servertest.Options{PgDSN: dsn, Args: args})
	testQueueAdmin(t, a.URL, b.URL)
}

// testQueueAdmin: the admin supervisor from HOMESHORE_ADMIN_USER starts in
// no queue and sees no agent; supervisors list queues and their people,
// put agents and supervisors in and take them out (agents cannot); each
// change is in the audit trail; a supervisor's open stream (on watchURL)
// follows: a new snapshot with the agents now in their queues, no more
// events of an agent taken out.
func testQueueAdmin(t *testing.T, adminURL, watchURL string) {
	root, sam, alice, bob := login(t, adminURL, "root"), login(t, adminURL, "sam"), login(t, adminURL, "alice"), login(t, adminURL, "bob")
	var me api.User
	must(t, root.get("/v1/me"), 200, &me)
	if me.Role != api.RoleSupervisor || len(me.Queues) != 0 {
		t.Fatalf("the admin account: %+v", me)
	}
	rootStream := openStream(t, watchURL, root.token, "")
	rootStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveSnapshot })
	if n := len(rootStream.snapshot.Agents); n != 0 {
		t.Fatalf("the admin in no queue sees %d agents", n)
	}

	// Only supervisors administer; unknown names are 404.
	must(t, alice.get("/v1/admin/queues"), 403, nil)
	must(t, alice.do("PUT", "/v1/admin/queues/billing/members/alice", nil, ""), 403, nil)
	must(t, alice.get("/v1/admin/audit"), 403, nil)
	must(t, root.do("PUT", "/v1/admin/queues/nope/members/alice", nil, ""), 404, nil)
	must(t, root.do("PUT", "/v1/admin/queues/billing/members/nobody", nil, ""), 404, nil)
	var queues api.QueueList
	must(t, root.get("/v1/admin/queues"), 200, &queues)
	if billing := findQueue(t, queues, "billing"); !hasMember(billing.Agents, "alice") || !hasMember(billing.Supervisors, "sam") {
		t.Fatalf("billing: %+v", billing)
	}

	// The admin joins billing: their open stream gets a new wallboard.
	var q api.QueueMembers
	must(t, root.do("PUT", "/v1/admin/queues/billing/members/root", nil, ""), 200, &q)
	if !hasMember(q.Supervisors, "root") || !hasMember(q.Agents, "alice") {
		t.Fatalf("billing after root joined: %+v", q)
	}
	rootStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveSnapshot })
	if a := rootStream.snapshot.Agents; len(a) != 1 || a[0].Username != "alice" {
		t.Fatalf("the admin's new wallboard: %+v", a)
	}
	status := func(c *client) {
		t.Helper()
		now := time.Now().UTC()
		must(t, c.do("PUT", "/v1/live/status", api.LiveStatus{At: now, State: api.StateAvailable, StateSince: now}, ""), 204, nil)
	}
	status(alice)
	rootStream.next(agentIs("alice", func(a *api.AgentLive) bool { return a.State == api.StateAvailable }))

	// A supervisor of support only; alice joins support, then leaves it.
	must(t, sam.do("POST", "/v1/users", api.NewUser{Username: "sue", DisplayName: "Sue Support", Password: server.DemoPassword,
		Role: api.RoleSupervisor, Queues: []string{"support"}}, ""), 201, nil)
	sue := login(t, adminURL, "sue")
	sueStream := openStream(t, watchURL, sue.token, "")
	sueStream.next(func(name string, e api.LiveEvent) bool { return name == api.LiveSnapshot })
	if a := sueStream.snapshot.Agents; len(a) != 1 || a[0].Username != "bob" {
		t.Fatalf("sue's first wallboard: %+v", a)
	}
	// sue administers support only: billing is not hers to join or read.
	must(t, sue.do("PUT", "/v1/admin/queues/billing/members/sue", nil, ""), 403, nil)
	must(t, sue.do("DELETE", "/v1/admin/queues/billing/members/alice", nil, ""), 403, nil)
	var sueQueues api.QueueList
	must(t, sue.get("/v1/admin/queues"), 200, &sueQueues)
	if len(sueQueues.Queues) != 1 || sueQueues.Queues[0].Name != "support" {
		t.Fatalf("sue's queues: %+v", sueQueues)
	}
	var sueUsers api.UserList
	must(t, sue.get("/v1/admin/users"), 200, &sueUsers)
	for _, u := range sueUsers.Users {
		if u.Username == "alice" || u.Username == "root" {
			t.Fatalf("sue sees %s, who is in none of her queues: %+v", u.Username, sueUsers)
		}
	}
	must(t, root.do("PUT", "/v1/admin/queues/support/members/alice", nil, ""), 200, nil)
	sueStream.next(func(name string, e api.LiveEvent) bool {
		return name == api.LiveSnapshot && slices.ContainsFunc(sueStream.snapshot.Agents, func(a api.AgentLive) bool { return a.Username == "alice" })
	})
	must(t, root.do("DELETE", "/v1/admin/queues/support/members/alice", nil, ""), 200, &q)
	if hasMember(q.Agents, "alice") {
		t.Fatalf("support after alice left: %+v", q)
	}
	sueStream.next(func(name string, e api.LiveEvent) bool {
		return name == api.LiveSnapshot && len(sueStream.snapshot.Agents) == 1 && sueStream.snapshot.Agents[0].Username == "bob"
	})
	must(t, root.do("DELETE", "/v1/admin/queues/support/members/alice", nil, ""), 200, nil) // again: harmless
	status(alice)
	status(bob)
	sueStream.noneBefore(agentIs("alice", func(*api.AgentLive) bool { return true }),
		agentIs("bob", func(a *api.AgentLive) bool { return a.State == api.StateAvailable }))

	// The audit trail: who did what, in order, each change once.
	var log api.AuditLog
	must(t, sam.get("/v1/admin/audit"), 200, &log)
	var got []string
	for _, e := range log.Entries {
		got = append(got, e.Actor+" "+e.Action+" "+e.Queue+" "+e.Target)
	}
	want := []string{"root queue.member.add billing root", "sam user.create  sue", "sam queue.member.add support sue",
		"root queue.member.add support alice", "root queue.member.remove support alice"}
	if !slices.Equal(got, want) {
		t.Fatalf("audit trail:\n%q\nwant\n%q", got, want)
	}

	// A new hire in no queue is listed to every supervisor, who can take
	// them in; an agent in someone else's queue is not (above).
	must(t, root.do("POST", "/v1/users", api.NewUser{Username: "nina", DisplayName: "Nina New", Password: server.DemoPassword,
		Role: api.RoleAgent}, ""), 201, nil)
	must(t, root.do("POST", "/v1/users", api.NewUser{Username: "vic", DisplayName: "Vic Visor", Password: server.DemoPassword,
		Role: api.RoleSupervisor}, ""), 201, nil)
	listed := func(c *client, username string) bool {
		t.Helper()
		var l api.UserList
		must(t, c.get("/v1/admin/users"), 200, &l)
		return slices.ContainsFunc(l.Users, func(u api.User) bool { return u.Username == username })
	}
	if !listed(sue, "nina") || listed(sue, "vic") {
		t.Fatal("sue should see the new agent nina, not the supervisor vic who is in no queue")
	}
	must(t, sue.do("PUT", "/v1/admin/queues/support/members/nina", nil, ""), 200, &q)
	if !hasMember(q.Agents, "nina") || !listed(sue, "nina") {
		t.Fatalf("nina in support: %+v", q)
	}
}

func findQueue(t *testing.T, l api.QueueList, name string) api.QueueMembers {
	t.Helper()
	for _, q := range l.Queues {
		if q.Name == name {
			return q
		}
	}
	t.Fatalf("no queue %s in %+v", name, l)
	return api.QueueMembers{}
}

func hasMember(ms []api.Member, username string) bool {
	return slices.ContainsFunc(ms, func(m api.Member) bool { return m.Username == username })
}
