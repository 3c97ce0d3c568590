//go:build !windows

package update

import "context"

// unsupportedInstaller: on Linux IT's apt/dnf repository installs updates,
// on macOS nothing is built yet; the check only informs.
type unsupportedInstaller struct{}

func (unsupportedInstaller) Install(context.Context, string) error { return ErrInstallUnsupported }

// DefaultInstaller is the installer of this OS.
func DefaultInstaller() Installer { return unsupportedInstaller{} }
