//go:build !windows

package managed

import (
	"errors"
	"testing"
)

func TestReadRegistryOutsideWindows(t *testing.T) {
	if _, err := ReadRegistry(); !errors.Is(err, ErrNotManaged) {
		t.Fatalf("err = %v, want ErrNotManaged", err)
	}
}
