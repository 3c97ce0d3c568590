//go:build !linux && !windows && !darwin

package devinfo

import "context"

// List is not available on this system.
func List(ctx context.Context) ([]Device, error) { return nil, ErrUnsupported }
