package audiocmp

import (
	"fmt"
	"time"
)

// Find looks for sent anywhere in received (a long recording where several
// parties spoke in turn): Score is the best correlation over every place
// sent fits whole, Lag where it starts. Use it when who spoke when is known
// only roughly.
func Find(sentWAV, receivedWAV string) (Result, error) {
	sent, err := Load(sentWAV)
	if err != nil {
		return Result{}, err
	}
	received, err := Load(receivedWAV)
	if err != nil {
		return Result{}, err
	}
	se, _ := envelope(sent)
	re, _ := envelope(received)
	if len(re) < len(se) {
		return Result{}, fmt.Errorf("%w: received has %d frames, sent %d", ErrTooShort, len(re), len(se))
	}
	// Every lag where sent fits whole (overlap 100 %).
	return compareLags(sent, received, 0, len(re)-len(se))
}

// LevelDBFS is the RMS level of a WAV file between from and to (clipped to
// the file), or -inf dBFS for digital silence.
func LevelDBFS(wav string, from, to time.Duration) (float64, error) {
	a, err := Load(wav)
	if err != nil {
		return 0, err
	}
	i := min(max(0, int(from.Seconds()*float64(a.Rate))), len(a.Samples))
	j := min(max(i, int(to.Seconds()*float64(a.Rate))), len(a.Samples))
	if i == j {
		return 0, fmt.Errorf("%w: %s holds nothing between %s and %s", ErrTooShort, wav, from, to)
	}
	return rmsDBFS(a.Samples[i:j]), nil
}
