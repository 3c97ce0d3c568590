//go:build !cgo

package media

import "fmt"

const opusAvailable = false

// DefaultOpusBitrate is the Opus target bitrate when none is configured.
const DefaultOpusBitrate = 32000

func newOpusEncoder(int) (encoder, error) {
	return nil, fmt.Errorf("%w: opus needs a cgo build with libopus", ErrCodecUnavailable)
}

func newOpusDecoder() (decoder, error) {
	return nil, fmt.Errorf("%w: opus needs a cgo build with libopus", ErrCodecUnavailable)
}
