package server

import (
	"net/url"
	"time"
)

// The range of times the API accepts: anything outside is a wrong clock or
// a forged value, and years outside 0-9999 cannot even be shown in JSON.
var (
	minTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxOffset bounds a time's UTC offset: RFC 3339 offsets go to ±23:59, while
// Go's parser also takes +24:00 and more.
const maxOffset = 24 * time.Hour

// checkTime validates t and returns it in UTC, truncated to the millisecond
// the store keeps. A zero t is refused when required, else returned as is.
func checkTime(field string, t time.Time, required bool) (time.Time, error) {
	if t.IsZero() {
		if required {
			return t, badRequest("%s is required (an RFC 3339 time)", field)
		}
		return t, nil
	}
	if _, off := t.Zone(); time.Duration(off)*time.Second >= maxOffset || time.Duration(-off)*time.Second >= maxOffset {
		return t, badRequest("%s has a UTC offset outside ±23:59", field)
	}
	u := t.UTC().Truncate(time.Millisecond)
	if u.Before(minTime) || !u.Before(maxTime) {
		return t, badRequest("%s must lie between %d and %d", field, minTime.Year(), maxTime.Year()-1)
	}
	return u, nil
}

// checkTimePtr is checkTime for an optional time.
func checkTimePtr(field string, t *time.Time) error {
	if t == nil {
		return nil
	}
	u, err := checkTime(field, *t, true)
	*t = u
	return err
}

// queryTime reads an RFC 3339 time from query parameter name; def when absent.
func queryTime(q url.Values, name string, def time.Time) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return def, badRequest("%s must be an RFC 3339 time such as 2026-03-01T09:00:00Z", name)
	}
	return checkTime(name, t, true)
}

// queryDay reads a UTC day YYYY-MM-DD from query parameter name.
func queryDay(q url.Values, name string, def time.Time) (time.Time, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return def, badRequest("%s must be a day YYYY-MM-DD", name)
	}
	return checkTime(name, d, true)
}

// isIDChar reports the characters a client-chosen id may hold.
func isIDChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == ':' || c == '.'
}

// validID reports whether id may be a client-chosen id: 1 to maxIDLen of
// A-Z a-z 0-9 - _ : . with at least one letter or digit, so that it travels
// unchanged in a URL path (the router cleans "." and ".." segments away).
func validID(id string) bool {
	if id == "" || len(id) > maxIDLen {
		return false
	}
	alnum := false
	for _, c := range id {
		if !isIDChar(c) {
			return false
		}
		if c != '-' && c != '_' && c != ':' && c != '.' {
			alnum = true
		}
	}
	return alnum
}
