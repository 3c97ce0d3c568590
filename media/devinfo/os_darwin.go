//go:build darwin

package devinfo

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
)

// List reads Core Audio devices through system_profiler (no cgo needed).
func List(ctx context.Context) ([]Device, error) {
	out, err := exec.CommandContext(ctx, "system_profiler", "SPAudioDataType", "-json").Output()
	if err != nil {
		return nil, fmt.Errorf("system_profiler: %w", err)
	}
	return parseSystemProfiler(out)
}

func parseSystemProfiler(b []byte) ([]Device, error) {
	var doc struct {
		SPAudioDataType []struct {
			Items []map[string]any `json:"_items"`
		} `json:"SPAudioDataType"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("system_profiler output: %w", err)
	}
	var devs []Device
	for _, g := range doc.SPAudioDataType {
		for _, it := range g.Items {
			str := func(k string) string { s, _ := it[k].(string); return s }
			m := MacDevice{Name: str("_name"), Transport: str("coreaudio_device_transport")}
			if str("coreaudio_device_output") != "" {
				o := m
				o.Default = str("coreaudio_default_audio_output_device") == "spaudio_yes"
				devs = append(devs, FromMac(o))
			}
			if str("coreaudio_device_input") != "" {
				i := m
				i.Input = true
				i.Default = str("coreaudio_default_audio_input_device") == "spaudio_yes"
				devs = append(devs, FromMac(i))
			}
		}
	}
	return devs, nil
}
