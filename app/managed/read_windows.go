//go:build windows

package managed

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// ReadRegistry reads HKLM\Software\Policies\Homeshore (64-bit view) into a policy document.
func ReadRegistry() ([]byte, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, RegistryKey, registry.QUERY_VALUE|registry.WOW64_64KEY)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, ErrNotManaged
	}
	if err != nil {
		return nil, fmt.Errorf("open HKLM\\%s: %w", RegistryKey, err)
	}
	defer k.Close()
	values := map[string]any{}
	for _, name := range ValueNames() {
		if s, _, err := k.GetStringValue(name); err == nil {
			values[name] = s
			continue
		}
		if n, _, err := k.GetIntegerValue(name); err == nil {
			values[name] = n
		}
	}
	return Document(values)
}
