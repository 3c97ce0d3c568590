//go:build darwin

package devinfo

import (
	"context"
	"fmt"
	"os/exec"
)

// List reads Core Audio devices through system_profiler (no cgo needed).
func List(ctx context.Context) ([]Device, error) {
	out, err := exec.CommandContext(ctx, "system_profiler", "SPAudioDataType", "-json").Output()
	if err != nil {
		return nil, fmt.Errorf("system_profiler: %w", err)
	}
	return ParseSystemProfiler(out)
}
