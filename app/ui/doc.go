// Package ui owns the agent's Fyne windows and widgets; it holds no SIP or
// audio logic and reaches the core only through the small interfaces in ports.go.
package ui
