package core

import (
	"strings"
	"time"

	"github.com/homeshore/homeshore/app/ui"
	"github.com/homeshore/homeshore/server/api"
)

// liveCalls follows the agent's calls for the supervisors' wallboard: the
// call the agent is in (the last one answered that is still up, or the
// one ringing when none is) and a call ringing meanwhile (call waiting),
// so a waiting call never takes the place of the call in progress.
// Not safe for concurrent use (supervision holds its lock).
type liveCalls struct {
	seq   int
	calls map[string]*liveEntry
}

type liveEntry struct {
	call     api.LiveCall
	rang     int // order it started ringing (or was first seen)
	answered int // order it was answered; 0 while ringing
}

func (l *liveCalls) entry(ci ui.CallInfo) *liveEntry {
	if l.calls == nil {
		l.calls = map[string]*liveEntry{}
	}
	e, ok := l.calls[ci.ID]
	if !ok {
		l.seq++
		e = &liveEntry{rang: l.seq}
		l.calls[ci.ID] = e
	}
	e.call = *liveCall(ci)
	return e
}

// ring records an incoming call that rings.
func (l *liveCalls) ring(ci ui.CallInfo) { l.entry(ci) }

// answer records a call answered (either side); it becomes the current one.
func (l *liveCalls) answer(ci ui.CallInfo) {
	e := l.entry(ci)
	l.seq++
	e.answered = l.seq
}

// end forgets a call; it reports whether it was known.
func (l *liveCalls) end(id string) bool {
	_, ok := l.calls[id]
	delete(l.calls, id)
	return ok
}

// current returns the call the agent is in and the one waiting, nil when none.
func (l *liveCalls) current() (call, waiting *api.LiveCall) {
	var cur, ring *liveEntry
	for _, e := range l.calls {
		switch {
		case e.answered > 0:
			if cur == nil || e.answered > cur.answered {
				cur = e
			}
		case ring == nil || e.rang < ring.rang:
			ring = e
		}
	}
	if cur == nil {
		cur, ring = ring, nil // nothing answered: the ringing call is the one shown
	}
	if cur != nil {
		c := cur.call
		call = &c
	}
	if ring != nil {
		w := ring.call
		waiting = &w
	}
	return call, waiting
}

// maxLineDetail keeps the line's reason within what the backend takes
// (256 characters).
const maxLineDetail = 200

// liveLine is a registration state as the wallboard shows it; ok is false
// for states the core does not report (registering is the GUI's own).
func liveLine(st ui.RegStatus, now time.Time) (api.LiveLine, bool) {
	since := st.Since
	if since.IsZero() {
		since = now
	}
	since = since.UTC()
	detail := strings.Join(strings.Fields(st.Detail), " ")
	if r := []rune(detail); len(r) > maxLineDetail {
		detail = string(r[:maxLineDetail-1]) + "…"
	}
	switch st.State {
	case ui.RegRegistered:
		return api.LiveLine{State: api.LineRegistered}, true
	case ui.RegReconnecting:
		return api.LiveLine{State: api.LineReconnecting, Since: &since, Detail: detail}, true
	case ui.RegFailed:
		return api.LiveLine{State: api.LineRefused, Since: &since, Detail: detail}, true
	case ui.RegNone:
		return api.LiveLine{State: api.LineOff}, true
	}
	return api.LiveLine{}, false
}
