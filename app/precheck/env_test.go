package precheck

import (
	"crypto/sha256"
	"encoding/hex"
	"github.com/homeshore/homeshore/internal/testenv"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// requireOrSkip fails under CI=true and skips otherwise when a component is missing.
func requireOrSkip(t testing.TB, ok bool, what string) {
	testenv.Require(t, ok, what)
}

func haveBinary(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}

var corpusOnce sync.Once
var corpusDir string
var corpusErr error

// corpus builds the room corpus once per script version, cached in the temp dir.
func corpus(t testing.TB) string {
	t.Helper()
	requireOrSkip(t, haveBinary("sox"), "sox")
	requireOrSkip(t, haveBinary("espeak-ng"), "espeak-ng")
	corpusOnce.Do(func() {
		script, err := filepath.Abs("testdata/make-corpus.sh")
		if err != nil {
			corpusErr = err
			return
		}
		b, err := os.ReadFile(script)
		if err != nil {
			corpusErr = err
			return
		}
		sum := sha256.Sum256(b)
		dir := filepath.Join(os.TempDir(), "homeshore-room-corpus-"+hex.EncodeToString(sum[:6]))
		if _, err := os.Stat(filepath.Join(dir, "done")); err == nil {
			corpusDir = dir
			return
		}
		tmp, err := os.MkdirTemp(os.TempDir(), "homeshore-corpus-build-")
		if err != nil {
			corpusErr = err
			return
		}
		out, err := exec.Command(script, tmp).CombinedOutput()
		if err != nil {
			os.RemoveAll(tmp)
			corpusErr = &exec.ExitError{}
			corpusErr = err
			_ = out
			return
		}
		_ = os.WriteFile(filepath.Join(tmp, "done"), nil, 0o644)
		if err := os.Rename(tmp, dir); err != nil {
			os.RemoveAll(tmp) // another process won the race: use theirs
		}
		corpusDir = dir
	})
	if corpusErr != nil {
		t.Fatalf("building the room corpus: %v", corpusErr)
	}
	return corpusDir
}

func itoa(n int) string { return strconv.Itoa(n) }

func dbToLin(db float64) float64 { return math.Pow(10, db/20) }
