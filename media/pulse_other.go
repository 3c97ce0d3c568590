//go:build !linux

package media

// Outside Linux the devices go through PortAudio (WASAPI, CoreAudio):
// these report that Pulse did not handle the request.

func pulseOpenCapture(string) (SourceCloser, bool, error) { return nil, false, nil }

func pulseOpenPlayback(string) (SinkCloser, bool, error) { return nil, false, nil }

func pulseListDevices() ([]DeviceInfo, bool, error) { return nil, false, nil }
