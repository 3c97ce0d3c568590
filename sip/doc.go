// Package sip is Homeshore's SIP user agent on sipgo: registration, calls,
// dialogs, hold, DTMF and transfer. It never imports Fyne or app/.
package sip
