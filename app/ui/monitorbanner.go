package ui

// The agent is always told when a supervisor listens to, coaches in or
// joins their call (employees must be informed when they are listened to;
// CNIL guidance): a banner at the top of the window for the whole
// session, naming the supervisor and what the customer hears. It follows
// the core's MonitorChanged events.

// monitorBannerKeys name the banner's text per mode.
var monitorBannerKeys = map[string]string{
	MonitorListen:  "monitor.banner.listen",
	MonitorWhisper: "monitor.banner.whisper",
	MonitorBarge:   "monitor.banner.barge",
}

// onMonitor shows or hides the supervisor banner; Fyne thread only.
func (c *Controller) onMonitor(s MonitorSession) {
	if !s.Active {
		c.frame.monitor.hide()
		return
	}
	key, ok := monitorBannerKeys[s.Mode]
	if !ok {
		key = monitorBannerKeys[MonitorListen]
	}
	c.frame.monitor.show(colorWarn, c.tr.T(key, s.Supervisor))
}
