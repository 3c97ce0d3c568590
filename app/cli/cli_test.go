package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRunUnknownCommandIsUsageError(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"frobnicate"}, &out, &errOut)
	if code != exitUsageErr {
		t.Fatalf("exit code = %d, want %d", code, exitUsageErr)
	}
	if !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Fatalf("stderr does not name the bad command: %q", errOut.String())
	}
}

func TestRunVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"version"}, &out, &errOut); code != ExitOK {
		t.Fatalf("exit code = %d", code)
	}
	if !strings.HasPrefix(out.String(), "homeshore ") {
		t.Fatalf("version output = %q", out.String())
	}
}
