package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestMonitorUsageErrors: what the supervisor typed wrong is said before
// anything reaches the network, with exit 2.
func TestMonitorUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "listen", "--grant", "x"}, "give exactly one agent address"},
		{[]string{"sip:alice@h", "--mode", "spy", "--grant", "x"}, "listen, whisper or barge"},
		{[]string{"sip:alice@h", "--mode", "listen"}, "--backend URL and --backend-user"},
		{[]string{"sip:alice@h", "--grant", "x", "--switch", "whisper"}, "MODE@DELAY"},
		{[]string{"sip:alice@h", "--grant", "x", "--switch", "shout@5s"}, "listen, whisper or barge"},
	} {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), append([]string{"monitor"}, tc.args...), &out, &errOut)
		if code != exitUsageErr || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut.String(), exitUsageErr, tc.want)
		}
	}
}

func TestSwitchFlag(t *testing.T) {
	var s switchFlag
	for _, v := range []string{"whisper@10s", "barge@25"} {
		if err := s.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	if len(s) != 2 || s[0] != (modeSwitch{"whisper", 10 * time.Second}) || s[1] != (modeSwitch{"barge", 25 * time.Second}) {
		t.Fatalf("parsed %v", s)
	}
}
