package media

// DeviceInfo describes one audio device as the audio backend sees it.
type DeviceInfo struct {
	ID, Name, HostAPI           string
	Inputs, Outputs             int
	DefaultInput, DefaultOutput bool
}
