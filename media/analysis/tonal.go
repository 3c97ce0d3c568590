package analysis

import (
	"math"
	"sort"
)

// Held partials. Music and machines both sound as spectral peaks that hold
// their frequency for a long time, which speech (whose harmonics glide) and
// noise do not. Music changes notes; a fridge, a transformer or a vacuum
// cleaner holds the same ones. Measured at 8 kHz (the voice band) in 64 ms
// frames every 20 ms; tuned on the labelled corpus (docs/precheck.md).
const (
	tonalFrame      = 512 // 64 ms at 8 kHz: 15.6 Hz bins
	tonalHop        = 160
	tonalLoBin      = 7   // ~110 Hz
	tonalHiBin      = 217 // ~3.4 kHz
	tonalNeighbours = 10  // bins each side for the local spectral floor
	tonalProminence = 12  // dB a peak stands over its local floor
	tonalHoldFrames = 16  // a peak held this long (320 ms) is a sustained partial
	tonalMinLevel   = -70 // dBFS: quieter frames are not judged
	tonalHeldShare  = 0.35
	tonalChangesPS  = 1.0 // new held partials per second, after the first ones: notes changing
)

// Tonal says how much of a capture is sustained partials.
type Tonal struct {
	HeldPercent      float64 `json:"held_percent"`       // frames with a sustained partial
	ChangesPerSecond float64 `json:"changes_per_second"` // new sustained partials appearing
	Music            bool    `json:"music,omitempty"`    // sustained partials that change: music
	Machine          bool    `json:"machine,omitempty"`  // sustained partials that stay: hum, whine
}

// DetectTonal finds music and machine hum in a 48 kHz capture.
func DetectTonal(samples []float32) Tonal {
	x := decimate6(samples)
	nF := 0
	if len(x) >= tonalFrame {
		nF = 1 + (len(x)-tonalFrame)/tonalHop
	}
	var t Tonal
	if nF == 0 {
		return t
	}
	win := hann(tonalFrame)
	buf := make([]complex128, tonalFrame)
	mag := make([]float64, tonalFrame/2)
	nb := make([]float64, 0, 2*tonalNeighbours+1)
	const nb2 = tonalFrame / 2
	flat := make([]bool, nF*nb2)
	peaks := func(f int) []bool { return flat[f*nb2 : (f+1)*nb2] }
	loud := make([]bool, nF)
	for f := 0; f < nF; f++ {
		var e float64
		for i := range buf {
			v := x[f*tonalHop+i]
			buf[i] = complex(v*win[i], 0)
			e += v * v
		}
		loud[f] = DB(e/tonalFrame) >= tonalMinLevel
		if !loud[f] {
			continue
		}
		fft(buf, false)
		for k := range mag {
			mag[k] = DB(real(buf[k])*real(buf[k]) + imag(buf[k])*imag(buf[k]))
		}
		for k := tonalLoBin; k <= tonalHiBin; k++ {
			if mag[k] < mag[k-1] || mag[k] < mag[k+1] {
				continue
			}
			nb = append(nb[:0], mag[max(0, k-tonalNeighbours):min(len(mag), k+tonalNeighbours+1)]...)
			sort.Float64s(nb)
			peaks(f)[k] = mag[k]-nb[len(nb)/2] >= tonalProminence
		}
	}
	near := func(p []bool, k int) bool { return p[k] || p[k-1] || p[k+1] }
	held, changes := 0, 0
	prev, cur := make([]bool, nb2), make([]bool, nb2)
	havePrev, first := false, true
	for f := tonalHoldFrames - 1; f < nF; f++ {
		clear(cur)
		n, fresh := 0, 0
		for k := tonalLoBin + 1; k < tonalHiBin; k++ {
			if !peaks(f)[k] {
				continue
			}
			ok := true
			for j := 1; j < tonalHoldFrames && ok; j++ {
				ok = loud[f-j] && near(peaks(f-j), k)
			}
			if !ok {
				continue
			}
			cur[k] = true
			n++
			if !havePrev || !near(prev, k) {
				fresh++
			}
		}
		if n > 0 {
			held++
			if !first {
				changes += fresh
			}
			first = false
		}
		prev, cur = cur, prev
		havePrev = true
	}
	secs := float64(len(samples)) / SampleRate
	t.HeldPercent = math.Round(1000*float64(held)/float64(nF)) / 10
	t.ChangesPerSecond = math.Round(10*float64(changes)/secs) / 10
	sustained := float64(held) >= tonalHeldShare*float64(nF)
	t.Music = sustained && t.ChangesPerSecond >= tonalChangesPS
	t.Machine = sustained && !t.Music
	return t
}
