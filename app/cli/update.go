package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/app/update"
	"github.com/homeshore/homeshore/app/version"
)

// updateResult is `homeshore update --json`'s one object.
type updateResult struct {
	Current   string `json:"current"`
	Available bool   `json:"available"`
	Version   string `json:"version,omitempty"`
	Installer string `json:"installer,omitempty"`
	Installed bool   `json:"installed"`
	Error     string `json:"error,omitempty"`
	Refused   bool   `json:"refused,omitempty"` // signature, manifest or hash did not verify
}

// runUpdate is `homeshore update [--install] [--json] [--dir DIR]`: check
// IT's update manifest now, and download and verify a newer installer;
// with --install, run it silently (Windows: msiexec /qn). Exit 0 when
// current or updated, 1 when the update was refused as untrustworthy or
// failed to install, 2 when no check could run (not configured, offline).
func runUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("update", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the result as JSON")
	install := fs.Bool("install", false, "install a verified update silently (Windows)")
	dir := fs.String("dir", "", "download directory (default: the user cache dir)")
	if err := fs.Parse(args); err != nil {
		return exitUsageErr
	}
	res := updateResult{Current: version.Version}
	finish := func(code int, err error) int {
		if err != nil {
			res.Error, res.Refused = err.Error(), update.Refused(err)
		}
		if *asJSON {
			b, _ := json.MarshalIndent(res, "", "  ")
			fmt.Fprintf(stdout, "%s\n", b)
		} else if res.Installed {
			fmt.Fprintf(stdout, "Homeshore %s installed\n", res.Version)
		} else if res.Available {
			fmt.Fprintf(stdout, "Homeshore %s is available: %s\n", res.Version, res.Installer)
		} else if err == nil {
			fmt.Fprintf(stdout, "Homeshore %s is up to date\n", res.Current)
		}
		if err != nil {
			fmt.Fprintln(stderr, "homeshore update:", err)
		}
		return code
	}
	pol, err := config.LoadPolicy()
	if err != nil {
		return finish(ExitCantRun, err)
	}
	checker, err := update.NewChecker(pol.Update.ManifestURL, pol.Update.PublicKey, version.Version, nil, nil, nil)
	if err != nil {
		return finish(ExitCantRun, err)
	}
	if *dir == "" {
		*dir, err = updateDir()
		if err != nil {
			return finish(ExitCantRun, err)
		}
	}
	s := &update.Service{Checker: checker, Dir: *dir}
	o, ok, err := s.CheckNow(ctx)
	if err != nil {
		if update.Refused(err) {
			return finish(ExitFailed, err)
		}
		return finish(ExitCantRun, err)
	}
	res.Available, res.Version, res.Installer = ok, o.Version, o.Path
	if !ok || !*install {
		return finish(ExitOK, nil)
	}
	if err := update.DefaultInstaller().Install(ctx, o.Path); err != nil {
		if errors.Is(err, update.ErrInstallUnsupported) {
			return finish(ExitCantRun, err)
		}
		return finish(ExitFailed, err)
	}
	res.Installed = true
	return finish(ExitOK, nil)
}

// updateDir is where verified installers wait: the user's cache dir.
func updateDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the cache directory: %w", err)
	}
	d := filepath.Join(base, "homeshore", "updates")
	if err := os.MkdirAll(d, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", d, err)
	}
	return d, nil
}
