package servertest

import (
	"strings"
	"sync"
)

// lockedWriter lets the process goroutine write while a test reads.
type lockedWriter struct {
	mu sync.Mutex
	b  *strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}
