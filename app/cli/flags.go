package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// parseInterspersed lets flags come before or after positional arguments
// ("call URI --play x.wav"), which Go's flag package alone does not.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// durationFlag accepts "30s", "1m" or a bare number of seconds.
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string { return f.d.String() }

func (f *durationFlag) Set(s string) error {
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return fmt.Errorf("duration %q is negative", s)
		}
		f.d = d
		return nil
	}
	var secs float64
	if _, err := fmt.Sscanf(s, "%g", &secs); err != nil || secs < 0 || strings.ContainsAny(s, " \t") {
		return fmt.Errorf("%q is not a duration: use e.g. 30s, 2m or 45", s)
	}
	f.d = time.Duration(secs * float64(time.Second))
	return nil
}
