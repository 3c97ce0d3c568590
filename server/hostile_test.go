package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHostileInput sends every route of the API what an attacker or a
// broken client sends, on SQLite and PostgreSQL: NUL and invalid UTF-8 in
// every string of the body, the path, the query and the headers; duplicate
// and case-folded duplicate keys; deep nesting; wrong types and overflowing
// numbers in every field; SQL-shaped text; path traversal; repeated and
// malformed query parameters; bad pagination. Each must be a 4xx (or, for
// harmless text, a success) with a JSON error, never a 5xx, and the server
// logs no error.
func TestHostileInput(t *testing.T) {
	table := authzTable()
	for _, kind := range backends {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			p := startServer(t, kind)
			e := newAuthzEnv(t, p.URL)
			for route, probes := range table {
				method, _, ok := strings.Cut(route, " ")
				if !ok {
					method = "GET"
				}
				for _, pr := range probes {
					role := allowedRole(pr)
					if role < 0 {
						continue
					}
					h := hostile{t: t, e: e, method: method, role: role, pr: pr}
					h.bodies()
					h.paths()
					h.queries()
					h.headers()
				}
			}
			pagination(t, e)
			// Harmless text is stored as sent and the tables are intact.
			must(t, e.clients[agent].get("/v1/tickets/demo-1"), 200, nil)
			if bad := errorLines(p.Log()); bad != "" {
				t.Errorf("the server logged errors:\n%s", bad)
			}
		})
	}
}

// allowedRole is a role the probe answers with success (its body is valid
// for it), -1 when none.
func allowedRole(pr probe) int {
	for _, r := range []int{agent, sup, anon} {
		if pr.want[r] >= 200 && pr.want[r] < 300 {
			return r
		}
	}
	return -1
}

type hostile struct {
	t      *testing.T
	e      *authzEnv
	method string
	role   int
	pr     probe
}

// send posts body (raw) to path with hdr and checks the answer is no 5xx,
// is a 4xx when want4xx, and is JSON when it is an error.
func (h hostile) send(what, path string, body []byte, hdr map[string]string, want4xx bool) {
	h.t.Helper()
	c := h.e.clients[h.role]
	if h.pr.fresh {
		c, _ = h.e.freshClient(h.role)
	}
	if hdr == nil {
		hdr = map[string]string{}
	}
	if _, ok := hdr["Idempotency-Key"]; !ok && h.method != "GET" {
		hdr["Idempotency-Key"] = newKey()
	}
	req, err := http.NewRequestWithContext(h.t.Context(), h.method, h.e.base+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatalf("%s: %v", what, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		req.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	hc := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s (%s): %v", h.method, path, what, err)
	}
	defer res.Body.Close()
	var buf [512]byte
	n, _ := res.Body.Read(buf[:])
	got := string(buf[:n])
	switch {
	case res.StatusCode >= 500:
		h.t.Errorf("%s %s (%s): %d %s", h.method, path, what, res.StatusCode, got)
	case want4xx && res.StatusCode < 400:
		h.t.Errorf("%s %s (%s): %d, want a 4xx: %s", h.method, path, what, res.StatusCode, got)
	case res.StatusCode >= 400 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") &&
		!strings.Contains(got, `"error"`):
		h.t.Errorf("%s %s (%s): %d without an error body: %s", h.method, path, what, res.StatusCode, got)
	}
}

// path is the probe's path with its placeholders filled.
func (h hostile) path() string {
	p := strings.NewReplacer("{alice}", h.e.aliceID).Replace(h.pr.path)
	if strings.Contains(p, "{help}") {
		p = strings.ReplaceAll(p, "{help}", "no-such-help")
	}
	return p
}

// bodies mutates every leaf of the probe's valid body.
func (h hostile) bodies() {
	if h.pr.body == nil {
		if h.method != "GET" {
			for _, b := range []string{"{", `{"a":"\u0000"}`, "\xff\xfe", "null", "[]", `"x"`, strings.Repeat("[", 100) + strings.Repeat("]", 100)} {
				h.send("body "+b, h.path(), []byte(b), nil, false)
			}
		}
		return
	}
	valid, err := json.Marshal(h.pr.body(h.e, h.role))
	if err != nil {
		h.t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(valid, &doc); err != nil {
		h.t.Fatal(err)
	}
	path := h.path()
	const marker = "\x01MARK\x01"
	for _, leaf := range leaves(doc, nil) {
		name := strings.Join(leaf, ".")
		fresh := func() any {
			var d any
			_ = json.Unmarshal(mustJSON(h.pr.body(h.e, h.role)), &d)
			return d
		}
		if _, isText := get(doc, leaf).(string); isText {
			h.send(name+" with NUL", path, mustJSON(set(fresh(), leaf, "a\x00b")), nil, true)
			raw := bytes.Replace(mustJSON(set(fresh(), leaf, marker)), mustJSON(marker)[1:len(mustJSON(marker))-1], []byte("a\xff\xfeb"), 1)
			h.send(name+" with invalid UTF-8", path, raw, nil, true)
			for _, sqlish := range []string{`x'); DROP TABLE tickets; --`, `" OR 1=1 --`, `../../../../etc/passwd`, strings.Repeat("é", 5000)} {
				h.send(name+" = "+sqlish[:min(len(sqlish), 20)], path, mustJSON(set(fresh(), leaf, sqlish)), nil, false)
			}
		}
		h.send(name+" as an object", path, mustJSON(set(fresh(), leaf, map[string]any{"x": 1})), nil, true)
		h.send(name+" as a huge number", path, bytes.Replace(mustJSON(set(fresh(), leaf, marker)),
			mustJSON(marker), []byte("1e400"), 1), nil, true)
		h.send(name+" as -2^63-1", path, bytes.Replace(mustJSON(set(fresh(), leaf, marker)),
			mustJSON(marker), []byte("-9223372036854775809"), 1), nil, false)
	}
	if obj, ok := doc.(map[string]any); ok {
		for k, v := range obj {
			dup := bytes.TrimSuffix(valid, []byte("}"))
			again, _ := json.Marshal(v)
			h.send("duplicate key "+k, path, fmt.Appendf(append([]byte{}, dup...), `,%q:%s}`, k, again), nil, true)
			h.send("case-folded duplicate key "+k, path, fmt.Appendf(append([]byte{}, dup...), `,%q:%s}`, strings.ToUpper(k), again), nil, true)
			break
		}
	}
	h.send("deep nesting", path, []byte(`{"x":`+strings.Repeat("[", 200)+strings.Repeat("]", 200)+`}`), nil, true)
	h.send("over the size limit", path, append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 70<<10)...), `"}`...), nil, true)
}

// paths puts hostile ids where the route takes one.
func (h hostile) paths() {
	if !strings.Contains(h.pr.path, "{") && !strings.Contains(h.pr.path, "demo-") {
		return
	}
	id := regexp.MustCompile(`\{[a-z]+\}|demo-[0-9]+`)
	valid := mustJSONBody(h)
	for _, bad := range []struct {
		seg     string
		want4xx bool
	}{{"a%00b", true}, {"a%FFb", true}, {"a%0Ab", true}, {"%2e%2e", true}, {"..%2F..%2Fetc%2Fpasswd", true},
		{strings.Repeat("x", 300), true}, {"%27%20OR%20%271%27%3D%271", true}, {"%EF%BD%84emo-1", true}} {
		h.send("id "+bad.seg, id.ReplaceAllString(h.pr.path, bad.seg), valid, nil, bad.want4xx)
	}
}

// queries appends hostile query parameters.
func (h hostile) queries() {
	p := h.path()
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	valid := mustJSONBody(h)
	for _, q := range []string{"x=%00", "x=%FF", "%00=1", "x=%zz", "x=1&x=2", "x=a;b=c"} {
		h.send("query "+q, p+sep+q, valid, nil, true)
	}
	if sep == "&" {
		// The route's own parameter given twice (parameter pollution).
		name, _, _ := strings.Cut(p[strings.Index(p, "?")+1:], "=")
		h.send("repeated "+name, p+"&"+name+"=other", valid, nil, true)
	}
}

// headers sends hostile Idempotency-Key and Last-Event-ID values.
func (h hostile) headers() {
	valid := mustJSONBody(h)
	if h.method != "GET" {
		for _, v := range []string{"a\xffb", "é"} {
			h.send("Idempotency-Key "+v, h.path(), valid, map[string]string{"Idempotency-Key": v}, true)
		}
		// Too long a key is refused where a key is needed, ignored elsewhere.
		h.send("Idempotency-Key too long", h.path(), valid, map[string]string{"Idempotency-Key": strings.Repeat("k", 129)}, false)
	}
	if h.pr.path == "/v1/live/stream" {
		for _, v := range []string{"a\xffb", "-5", "99999999999999999999999", "1e9"} {
			h.sendStream(v)
		}
	}
}

// sendStream opens the stream with Last-Event-ID v: never a 5xx.
func (h hostile) sendStream(v string) {
	req, _ := http.NewRequestWithContext(h.t.Context(), "GET", h.e.base+"/v1/live/stream", nil)
	req.Header.Set("Authorization", "Bearer "+h.e.clients[h.role].token)
	req.Header["Last-Event-Id"] = []string{v}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 500 {
		h.t.Errorf("stream with Last-Event-ID %q: %d", v, res.StatusCode)
	}
}

// pagination tries the list endpoints' limit and cursor with nonsense.
func pagination(t *testing.T, e *authzEnv) {
	a := e.clients[agent]
	for _, path := range []string{"/v1/sync", "/v1/messages"} {
		for _, q := range []string{"limit=0", "limit=-1", "limit=99999999999999999999", "limit=1.5", "limit=abc", "limit=100001",
			"cursor=-1", "cursor=abc", "cursor=99999999999999999999", "cursor=0x10", "cursor=%20"} {
			if r := a.get(path + "?" + q); r.Status != 400 {
				t.Errorf("GET %s?%s: %d %s, want 400", path, q, r.Status, r.Body)
			}
		}
		if r := a.get(path + "?cursor=9223372036854775807&limit=1"); r.Status != 200 {
			t.Errorf("GET %s past the end: %d %s", path, r.Status, r.Body)
		}
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func mustJSONBody(h hostile) []byte {
	if h.pr.body == nil {
		return nil
	}
	return mustJSON(h.pr.body(h.e, h.role))
}

// leaves lists the paths to every scalar of doc.
func leaves(doc any, at []string) [][]string {
	switch v := doc.(type) {
	case map[string]any:
		var out [][]string
		for k, c := range v {
			out = append(out, leaves(c, append(append([]string{}, at...), k))...)
		}
		return out
	case []any:
		var out [][]string
		for i, c := range v {
			out = append(out, leaves(c, append(append([]string{}, at...), fmt.Sprint(i)))...)
		}
		return out
	}
	if at == nil {
		return nil
	}
	return [][]string{at}
}

func get(doc any, at []string) any {
	for _, k := range at {
		switch v := doc.(type) {
		case map[string]any:
			doc = v[k]
		case []any:
			var i int
			fmt.Sscan(k, &i)
			doc = v[i]
		}
	}
	return doc
}

func set(doc any, at []string, val any) any {
	if len(at) == 0 {
		return val
	}
	switch v := doc.(type) {
	case map[string]any:
		v[at[0]] = set(v[at[0]], at[1:], val)
	case []any:
		var i int
		fmt.Sscan(at[0], &i)
		v[i] = set(v[i], at[1:], val)
	}
	return doc
}

// errorLines returns the server log's error lines.
func errorLines(log string) string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=ERROR") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
