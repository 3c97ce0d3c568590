//go:build !linux

package audiodev

import "github.com/homeshore/homeshore/media"

// Outside Linux the devices go through PortAudio (WASAPI, CoreAudio):
// these report that Pulse did not handle the request.

func pulseOpenCapture(string) (media.SourceCloser, bool, error) { return nil, false, nil }

func pulseOpenPlayback(string) (media.SinkCloser, bool, error) { return nil, false, nil }

func pulseListDevices() ([]DeviceInfo, bool, error) { return nil, false, nil }
