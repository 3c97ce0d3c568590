package update

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// MSIInstaller installs a verified MSI silently: msiexec /i FILE /qn
// /norestart, with a verbose log next to the file. The MSI upgrades the
// installed Homeshore in place and keeps IT's policy values.
type MSIInstaller struct {
	// Msiexec is the program to run; "" means msiexec.exe from the system.
	Msiexec string
}

// msiexec exit codes that mean success.
const (
	msiSuccess        = 0
	msiRebootRequired = 3010
	msiUserCancel     = 1602
	msiAlreadyRunning = 1618
)

// Install runs msiexec and maps its exit code.
func (m MSIInstaller) Install(ctx context.Context, path string) error {
	if !strings.EqualFold(filepath.Ext(path), ".msi") {
		return fmt.Errorf("%w: %s is not an MSI", ErrInstallUnsupported, filepath.Base(path))
	}
	prog := m.Msiexec
	if prog == "" {
		prog = "msiexec.exe"
	}
	log := strings.TrimSuffix(path, filepath.Ext(path)) + "-install.log"
	cmd := exec.CommandContext(ctx, prog, "/i", path, "/qn", "/norestart", "/l*v", log)
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == msiRebootRequired:
		return nil
	case errors.As(err, &exit) && exit.ExitCode() == msiAlreadyRunning:
		return fmt.Errorf("another installation is running: the update will be tried again later (%w)", err)
	case errors.As(err, &exit):
		return fmt.Errorf("the update installer failed (msiexec exit %d, log %s): tell IT", exit.ExitCode(), log)
	}
	return fmt.Errorf("run the update installer: %w", err)
}

// DefaultInstaller is the installer of this OS.
func DefaultInstaller() Installer { return MSIInstaller{} }
