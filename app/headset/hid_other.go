//go:build !linux && !windows

package headset

// Open reports that this system has no headset button support yet.
func Open(string) (Device, Layout, Info, error) { return nil, nil, Info{}, ErrUnsupported }
