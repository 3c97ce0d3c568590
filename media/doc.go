// Package media is the audio path of a call: devices, codecs, RTP, jitter
// buffer and quality figures. It knows nothing of SIP or the GUI.
package media
