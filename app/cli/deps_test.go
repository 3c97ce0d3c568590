package cli_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestCommandLinksNoLocalStore: the homeshore command (calls, answer,
// monitor, check) does not link the SQLite ticket store, the phone-number
// metadata or the language-name tables, which only the GUI uses: linked in,
// they doubled the binary and its resident memory on every call
// (docs/BENCHMARKS.md, "SIP calls vs baresip").
func TestCommandLinksNoLocalStore(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/homeshore/homeshore").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 || !slices.Contains(deps, "github.com/homeshore/homeshore/app/cli") {
		t.Fatalf("go list gave no dependency list: %q", out)
	}
	for _, banned := range []string{"modernc.org/sqlite", "github.com/nyaruka/phonenumbers", "golang.org/x/text/language/display", "fyne.io/fyne/v2"} {
		if slices.Contains(deps, banned) {
			t.Errorf("the homeshore command links %s", banned)
		}
	}
}
