//go:build linux

package precheck

import "os"

// linkType: Wi-Fi when sysfs shows wireless or phy80211 (type is 1 for both).
func linkType(iface string) string {
	base := "/sys/class/net/" + iface
	for _, p := range []string{"/wireless", "/phy80211"} {
		if _, err := os.Stat(base + p); err == nil {
			return LinkWiFi
		}
	}
	if _, err := os.Stat(base); err == nil {
		return LinkWired
	}
	return LinkUnknown
}
