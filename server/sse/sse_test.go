package sse

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	in := ": ping\n\nid: 3\nevent: agent\ndata: {\"a\":1}\n\nid: 4\ndata: line1\ndata: line2\n\n: ping\n\n"
	r := NewReader(strings.NewReader(in))
	want := []Event{{ID: "3", Name: "agent", Data: `{"a":1}`}, {ID: "4", Name: "message", Data: "line1\nline2"}}
	for _, w := range want {
		got, err := r.Next()
		if err != nil || got != w {
			t.Fatalf("got %+v %v, want %+v", got, err, w)
		}
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("end: %v", err)
	}
}

func FuzzReader(f *testing.F) {
	f.Add("id: 1\nevent: x\ndata: y\n\n")
	f.Add(":\n\ndata\n\nid\n")
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader(strings.NewReader(in))
		for i := 0; i < 1000; i++ {
			if _, err := r.Next(); err != nil {
				return
			}
		}
	})
}
