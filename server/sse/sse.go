// Package sse reads server-sent events (text/event-stream), as served by
// homeshore-server's GET /v1/live/stream, for Go clients and tests.
package sse

import (
	"bufio"
	"io"
	"strings"
)

// Event is one server-sent event. Comments (keep-alives) are skipped.
type Event struct {
	ID   string
	Name string // "message" when the stream names none
	Data string
}

// maxLine bounds one line of the stream.
const maxLine = 1 << 20

// Reader reads events from a stream.
type Reader struct {
	sc *bufio.Scanner
}

// NewReader reads events from r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	return &Reader{sc: sc}
}

// Next returns the next event; io.EOF when the stream ended cleanly.
func (r *Reader) Next() (Event, error) {
	var e Event
	var data []string
	seen := false
	for r.sc.Scan() {
		line := r.sc.Text()
		if line == "" {
			if !seen {
				continue
			}
			e.Data = strings.Join(data, "\n")
			if e.Name == "" {
				e.Name = "message"
			}
			return e, nil
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			e.ID, seen = value, true
		case "event":
			e.Name, seen = value, true
		case "data":
			data, seen = append(data, value), true
		}
	}
	if err := r.sc.Err(); err != nil {
		return Event{}, err
	}
	return Event{}, io.EOF
}
