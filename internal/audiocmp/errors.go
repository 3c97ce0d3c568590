package audiocmp

import "errors"

var (
	// ErrFormat: the file is not a WAV this package reads.
	ErrFormat = errors.New("unsupported or malformed WAV")
	// ErrSilence: the received (or sent) file holds no sound.
	ErrSilence = errors.New("recording is silent")
	// ErrTooShort: a file is shorter than the comparison needs.
	ErrTooShort = errors.New("recording too short to compare")
)
