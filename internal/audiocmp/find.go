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

// stretchSlack is how far each part of a sentence may sit from where the
// previous parts put it, in FindSegments.
const stretchSlack = 400 * time.Millisecond

// FindSegments is Find for recordings made at a sound device on a loaded
// machine, where under-runs stretch the timeline: sent is found as a whole
// first, then cut into n parts, each found within stretchSlack of where the
// parts before it put it; Score is the mean over parts that hold sound.
func FindSegments(sentWAV, receivedWAV string, n int) (Result, error) {
	whole, err := Find(sentWAV, receivedWAV)
	if err != nil || n <= 1 {
		return whole, err
	}
	sent, err := Load(sentWAV)
	if err != nil {
		return whole, err
	}
	received, err := Load(receivedWAV)
	if err != nil {
		return whole, err
	}
	size := len(sent.Samples) / n
	slack := int(stretchSlack / FrameDuration)
	// drift is how much later than the whole match the parts so far sat.
	drift := 0
	var sum float64
	used := 0
	for i := range n {
		start := i * size
		part := Audio{Rate: sent.Rate, Samples: sent.Samples[start : start+size]}
		if _, sound := envelope(part); sound < minSoundFrames {
			continue
		}
		expect := (int(whole.Lag/FrameDuration) + drift) * received.Rate / 100
		expect += start * received.Rate / sent.Rate
		from := max(0, expect-slack*received.Rate/100)
		if from >= len(received.Samples) {
			return whole, fmt.Errorf("%w: received ends before part %d of sent", ErrTooShort, i+1)
		}
		r, err := compareLags(part, Audio{Rate: received.Rate, Samples: received.Samples[from:]}, 0, 2*slack)
		if err != nil {
			return whole, err
		}
		got := (from*100)/received.Rate + int(r.Lag/FrameDuration)
		drift = got - int(whole.Lag/FrameDuration) - start*100/sent.Rate
		sum += r.Score
		used++
	}
	if used == 0 {
		return whole, fmt.Errorf("sent: %w", ErrSilence)
	}
	whole.Score = sum / float64(used)
	return whole, nil
}
