package testenv

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"
)

// bindPollInterval is how often waitBound re-reads /proc/net while a freshly
// started peer binds its port.
const bindPollInterval = 20 * time.Millisecond

// waitBound waits until some process has bound 127.0.0.1:port (or 0.0.0.0)
// for proto "udp" or "tcp" (listening). It reads /proc/net instead of
// probing, so it never steals the port from the process starting up.
func waitBound(ctx context.Context, proto string, port int, stillRunning func() bool) error {
	for {
		if bound(proto, port) {
			return nil
		}
		if !stillRunning() {
			return fmt.Errorf("process exited before binding %s port %d", proto, port)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s port %d not bound: %w", proto, port, ctx.Err())
		case <-time.After(bindPollInterval):
		}
	}
}

// bound reports whether /proc/net/{udp,tcp} lists port on 127.0.0.1 or any
// address (TCP: in LISTEN state).
func bound(proto string, port int) bool {
	f, err := os.Open("/proc/net/" + proto)
	if err != nil {
		return false
	}
	defer f.Close()
	want := []string{fmt.Sprintf("0100007F:%04X", port), fmt.Sprintf("00000000:%04X", port)}
	const tcpListen = "0A"
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 4 {
			continue
		}
		if fields[1] != want[0] && fields[1] != want[1] {
			continue
		}
		if proto == "tcp" && fields[3] != tcpListen {
			continue
		}
		return true
	}
	return false
}
