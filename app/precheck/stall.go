package precheck

import (
	"context"
	"errors"
	"time"

	"github.com/homeshore/homeshore/media/analysis"
)

// A capture that has not delivered its samples this long after it should
// have is stalled (a suspended source, a device held by another program, a
// driver that stopped): the check says so instead of waiting for ever.
const (
	stallSlack        = 5 * time.Second
	stallSlackPercent = 50
)

// captureBounded is captureSamples with a deadline of the capture's own
// length plus slack; past it the error is ErrCaptureStalled.
func captureBounded(ctx context.Context, src Source, n int) ([]float32, error) {
	d := time.Duration(float64(n) / analysis.SampleRate * float64(time.Second))
	cctx, cancel := context.WithTimeoutCause(ctx, d+max(stallSlack, d*stallSlackPercent/100), ErrCaptureStalled)
	defer cancel()
	x, err := captureSamples(cctx, src, n)
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(cctx), ErrCaptureStalled) {
		return nil, ErrCaptureStalled
	}
	return x, err
}
