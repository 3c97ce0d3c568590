package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/homeshore/homeshore/app/config"
)

// TestPolicyCommand: `homeshore policy` prints where the policy came
// from, the keys IT set and every effective value (defaults filled in);
// a policy the app would refuse is exit 2 with what to do.
func TestPolicyCommand(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(pol, []byte(`{"sip":{"server":"pbx.corp.example","expires_s":120,"keepalive_s":0}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.PolicyEnv, pol)
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"policy"}, &out, &errOut); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got struct {
		Source string   `json:"source"`
		Locked []string `json:"locked"`
		Policy struct {
			SIP struct {
				Server     string `json:"server"`
				Transport  string `json:"transport"`
				ExpiresS   int    `json:"expires_s"`
				KeepAliveS int    `json:"keepalive_s"`
			} `json:"sip"`
		} `json:"policy"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if got.Source != pol || !slices.Equal(got.Locked, []string{"sip.expires_s", "sip.keepalive_s", "sip.server"}) ||
		got.Policy.SIP.Server != "pbx.corp.example" || got.Policy.SIP.Transport != "udp" ||
		got.Policy.SIP.ExpiresS != 120 || got.Policy.SIP.KeepAliveS != 0 {
		t.Fatalf("policy output %+v", got)
	}

	for args, want := range map[string]int{"policy extra": exitUsageErr, "policy -h": ExitOK, "policy --json": ExitOK, "policy --frob": exitUsageErr} {
		out.Reset()
		errOut.Reset()
		if code := Run(context.Background(), strings.Fields(args), &out, &errOut); code != want {
			t.Errorf("%s: exit %d, want %d (%s)", args, code, want, errOut.String())
		}
	}

	if err := os.WriteFile(pol, []byte(`{"sip":{"expires_s":10}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	if code := Run(context.Background(), []string{"policy"}, &out, &errOut); code != ExitCantRun || !strings.Contains(errOut.String(), "expires_s") {
		t.Fatalf("refused policy: exit %d, %q", code, errOut.String())
	}
}
