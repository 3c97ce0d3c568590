//go:build !linux && !windows

package audiodev

import "github.com/homeshore/homeshore/media"

// Outside Linux and Windows (macOS) the devices go through PortAudio
// (CoreAudio): these report that no native backend handled the request.

func nativeOpenCapture(string) (media.SourceCloser, bool, error) { return nil, false, nil }

func nativeOpenPlayback(string) (media.SinkCloser, bool, error) { return nil, false, nil }

func nativeOpenMonitor(string) (media.SourceCloser, bool, error) { return nil, false, nil }

func nativeListDevices() ([]DeviceInfo, bool, error) { return nil, false, nil }
