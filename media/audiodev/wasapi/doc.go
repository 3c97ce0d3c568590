// Package wasapi is the small part of Windows' Core Audio (MMDevice API and
// WASAPI) Homeshore uses, called from pure Go through COM vtables: list
// endpoints by their endpoint id, find the default ones, and run a shared
// mode 48 kHz mono int16 stream (capture, render, or loopback capture of a
// render endpoint) driven by its event. Every call on a Client happens on
// the one OS thread that opened it (see Thread).
package wasapi
