// Package audiocmp decides whether a received recording carries the sound
// that was sent, through codecs, resampling, gain changes and network delay:
// it compares the 10 ms energy envelopes of the two files.
package audiocmp
