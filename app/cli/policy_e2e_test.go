package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// TestCLIHonoursITPolicy: headless commands run under IT's policy as the
// window does. The policy asks for a 120 s registration and no keepalive
// (the agent's profile says 600 s and 20 s): sipp, as the registrar,
// checks the REGISTER's Expires and fails on any keepalive OPTIONS. A flag
// that asks for something the policy sets otherwise is refused, naming
// the policy key, instead of being ignored.
func TestCLIHonoursITPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pol := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(pol, []byte(`{"sip":{"expires_s":120,"keepalive_s":0,"transport":"udp","srtp":"off"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	prof := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(prof, []byte(`{"sip":{"user":"alice","expires_s":600,"keepalive_s":20}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOMESHORE_POLICY=" + pol, "HOMESHORE_SIP_PASSWORD=pw"}
	s := testenv.Sipp(t, testenv.SippScenario(t, "uas_register_lifetime.xml", map[string]string{"expires": "120"}))
	rec := filepath.Join(dir, "rec.wav") // no audio devices needed
	code, _, last := start(t, env, "answer", "--profile", prof, "--registrar", s.Addr(), "--record", rec, "--timeout", "1s").wait(t, 15*time.Second)
	if code == 0 || !strings.Contains(last, "no call arrived") {
		t.Fatalf("exit %d, last line %q: want registered, then no call", code, last)
	}
	if err := s.WaitTimeout(10 * time.Second); err != nil {
		t.Fatalf("the REGISTER did not follow the policy: %v", err)
	}

	for _, args := range [][]string{
		{"--transport", "tcp"},
		{"--listen", "tcp:127.0.0.1:0"},
		{"--srtp", "mandatory"},
	} {
		code, _, last := start(t, env, append([]string{"answer", "--profile", prof, "--registrar", "127.0.0.1:9", "--record", rec, "--timeout", "1s"}, args...)...).wait(t, 15*time.Second)
		if code == 0 || !strings.Contains(last, "IT's policy") || (!strings.Contains(last, "sip.transport") && !strings.Contains(last, "sip.srtp")) {
			t.Errorf("%v against the policy: exit %d, last line %q", args, code, last)
		}
	}
}
