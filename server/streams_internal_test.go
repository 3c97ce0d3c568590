package server

import (
	"errors"
	"testing"
)

// TestStreamGate: per-user and server-wide caps, and release once only.
func TestStreamGate(t *testing.T) {
	g := newStreamGate(2, 3)
	a1, err1 := g.acquire("a")
	_, err2 := g.acquire("a")
	if _, err := g.acquire("a"); !errors.Is(err, errTooManyStreams) || err1 != nil || err2 != nil {
		t.Fatalf("third stream of a: %v", err)
	}
	if _, err := g.acquire("b"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.acquire("c"); !errors.Is(err, errStreamsFull) {
		t.Fatalf("fourth stream of the server: %v", err)
	}
	a1()
	a1() // twice is once
	if _, err := g.acquire("c"); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := g.acquire("d"); !errors.Is(err, errStreamsFull) {
		t.Fatalf("a double release freed two slots: %v", err)
	}
}
