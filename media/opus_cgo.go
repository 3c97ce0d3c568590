//go:build cgo

package media

import (
	"fmt"

	"gopkg.in/hraban/opus.v2"
)

const opusAvailable = true

// DefaultOpusBitrate is the Opus target bitrate when none is configured.
const DefaultOpusBitrate = 32000

// opusComplexity trades encoder CPU for quality. libopus defaults to 9;
// 5 halves the encoding cost (docs/BENCHMARKS.md) while wideband speech at
// 32 kbit/s stays transparent for a call.
const opusComplexity = 5

type opusEncoder struct {
	enc     *opus.Encoder
	bitrate int
	loss    int
}

func newOpusEncoder(bitrate int) (encoder, error) {
	if bitrate <= 0 {
		bitrate = DefaultOpusBitrate
	}
	enc, err := opus.NewEncoder(SampleRate, 1, opus.AppVoIP)
	if err != nil {
		return nil, fmt.Errorf("opus encoder: %w", err)
	}
	for _, set := range []func() error{
		func() error { return enc.SetBitrate(bitrate) },
		func() error { return enc.SetInBandFEC(true) },
		func() error { return enc.SetPacketLossPerc(initialLossPerc) },
		func() error { return enc.SetDTX(false) },
		func() error { return enc.SetComplexity(opusComplexity) },
	} {
		if err := set(); err != nil {
			return nil, fmt.Errorf("opus encoder setup: %w", err)
		}
	}
	return &opusEncoder{enc: enc, bitrate: bitrate, loss: initialLossPerc}, nil
}

func (e *opusEncoder) Encode(frame []int16, out []byte) (int, error) {
	return e.enc.Encode(frame, out)
}

func (e *opusEncoder) SetPacketLossPerc(pct int) {
	pct = min(max(pct, minOpusLossPerc), 100)
	if pct == e.loss {
		return
	}
	if e.enc.SetPacketLossPerc(pct) == nil {
		e.loss = pct
	}
}

// SetBitrate changes the target bitrate (the loss adaptation raises it
// while FEC takes a share).
func (e *opusEncoder) SetBitrate(bps int) {
	if bps <= 0 || bps == e.bitrate {
		return
	}
	if e.enc.SetBitrate(bps) == nil {
		e.bitrate = bps
	}
}

func (e *opusEncoder) RTPSamples() uint32 { return FrameSamples }
func (e *opusEncoder) Close()             {}
func (e *opusEncoder) String() string     { return fmt.Sprintf("Opus(enc %dk fec)", e.bitrate/1000) }

type opusDecoder struct {
	dec *opus.Decoder
}

func newOpusDecoder() (decoder, error) {
	dec, err := opus.NewDecoder(SampleRate, 1)
	if err != nil {
		return nil, fmt.Errorf("opus decoder: %w", err)
	}
	return &opusDecoder{dec: dec}, nil
}

func (d *opusDecoder) Decode(payload []byte, pcm []int16) (int, error) {
	return d.dec.Decode(payload, pcm)
}

// DecodeFEC needs pcm sized exactly to the lost frame: hraban/opus uses
// the slice's capacity as the frame size, hence the full slice expression.
func (d *opusDecoder) DecodeFEC(next []byte, pcm []int16) (bool, error) {
	if len(next) == 0 {
		return false, nil
	}
	return true, d.dec.DecodeFEC(next, pcm[:len(pcm):len(pcm)])
}

func (d *opusDecoder) Conceal(pcm []int16) error {
	return d.dec.DecodePLC(pcm[:len(pcm):len(pcm)])
}

func (d *opusDecoder) Close()         {}
func (d *opusDecoder) String() string { return "Opus(dec)" }
