//go:build !cgo

package dsp

import (
	"errors"
	"testing"
)

func TestWithoutCgoProcessingIsUnavailable(t *testing.T) {
	if _, err := New(All(), nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("New without cgo: %v, want ErrUnavailable", err)
	}
	if p, err := New(Config{}, nil); err != nil || p.Latency() != 0 {
		t.Fatalf("processing off needs no library: %v", err)
	}
}
