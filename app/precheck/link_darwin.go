//go:build darwin

package precheck

import (
	"os/exec"
	"strings"
)

// linkType asks networksetup which hardware port owns the interface
// (SCNetworkInterface types without cgo).
func linkType(iface string) string {
	out, err := exec.Command("networksetup", "-listallhardwareports").Output()
	if err != nil {
		return LinkUnknown
	}
	port := ""
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "Hardware Port: "); ok {
			port = v
		}
		if v, ok := strings.CutPrefix(line, "Device: "); ok && strings.TrimSpace(v) == iface {
			p := strings.ToLower(port)
			if strings.Contains(p, "wi-fi") || strings.Contains(p, "airport") {
				return LinkWiFi
			}
			return LinkWired
		}
	}
	return LinkUnknown
}
