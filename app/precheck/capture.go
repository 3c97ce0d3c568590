package precheck

import (
	"context"
	"fmt"

	"github.com/homeshore/homeshore/media/analysis"
)

// captureSamples reads n samples from src; cancelling ctx closes src, which
// unblocks Read. The source is closed on return.
func captureSamples(ctx context.Context, src Source, n int) ([]float32, error) {
	stop := context.AfterFunc(ctx, func() { src.Close() })
	defer stop()
	defer src.Close()
	frame := make([]int16, FrameSamples)
	out := make([]int16, 0, n+FrameSamples)
	for len(out) < n {
		if err := src.Read(frame); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("capture: %w", err)
		}
		out = append(out, frame...)
	}
	return analysis.Int16ToFloat(out[:n]), nil
}

// playSamples queues samples on sink in frames (the last one zero-padded).
func playSamples(sink Sink, x []float32) error {
	pcm := analysis.FloatToInt16(x)
	frame := make([]int16, FrameSamples)
	for i := 0; i < len(pcm); i += FrameSamples {
		clear(frame)
		copy(frame, pcm[i:min(i+FrameSamples, len(pcm))])
		if err := sink.Write(frame); err != nil {
			return fmt.Errorf("playback: %w", err)
		}
	}
	return nil
}

func msToSamples(ms float64) int { return int(ms * analysis.SampleRate / 1000) }
