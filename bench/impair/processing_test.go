package impairbench

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/homeshore/homeshore/internal/testenv"
)

// The harness turns Homeshore's audio processing off in the build under
// test (it has --audio-processing), and passes nothing to a build that
// lacks the flag (an older before binary would refuse the call).
func TestHarnessTurnsAudioProcessingOff(t *testing.T) {
	t.Parallel()
	bin := testenv.RequireHomeshore(t)
	if got, want := processingOff(t, bin), []string{"--audio-processing", "off"}; !slices.Equal(got, want) {
		t.Errorf("%s: harness flags %q, want %q", bin, got, want)
	}
	old := filepath.Join(t.TempDir(), "homeshore-old")
	script := "#!/bin/sh\necho 'Usage of call:'\necho '  -codecs string'\necho '  -play string'\nexit 2\n"
	if err := os.WriteFile(old, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if got := processingOff(t, old); got != nil {
		t.Errorf("a build without --audio-processing: harness flags %q, want none", got)
	}
}
