//go:build windows

package precheck

import (
	"net"
	"unsafe"

	"golang.org/x/sys/windows"
)

// IANA ifType values GetAdaptersAddresses reports.
const (
	ifTypeEthernet  = 6
	ifTypeIEEE80211 = 71
)

// linkType reads the adapter type of the interface (71 Wi-Fi, 6 Ethernet).
func linkType(iface string) string {
	ifc, err := net.InterfaceByName(iface)
	if err != nil {
		return LinkUnknown
	}
	size := uint32(15000)
	for range 3 {
		buf := make([]byte, size)
		aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, 0, 0, aa, &size)
		if err == windows.ERROR_BUFFER_OVERFLOW {
			continue
		}
		if err != nil {
			return LinkUnknown
		}
		for a := aa; a != nil; a = a.Next {
			if int(a.IfIndex) != ifc.Index && int(a.Ipv6IfIndex) != ifc.Index {
				continue
			}
			switch a.IfType {
			case ifTypeIEEE80211:
				return LinkWiFi
			case ifTypeEthernet:
				return LinkWired
			}
			return LinkUnknown
		}
		return LinkUnknown
	}
	return LinkUnknown
}
