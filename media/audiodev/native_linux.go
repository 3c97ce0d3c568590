package audiodev

import "github.com/homeshore/homeshore/media"

// On Linux the native backend is PulseAudio (or PipeWire's Pulse server).

func nativeOpenCapture(name string) (media.SourceCloser, bool, error) { return pulseOpenCapture(name) }

func nativeOpenPlayback(name string) (media.SinkCloser, bool, error) { return pulseOpenPlayback(name) }

func nativeOpenMonitor(output string) (media.SourceCloser, bool, error) {
	return pulseOpenMonitor(output)
}

func nativeListDevices() ([]DeviceInfo, bool, error) { return pulseListDevices() }
