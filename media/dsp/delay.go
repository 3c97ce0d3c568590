package dsp

import "math"

// delayEstimator finds how late the echo of the far end reaches the
// microphone, relative to the far end handed to the canceller, by
// correlating the two 10 ms energy envelopes over the last few seconds.
// The canceller's filter covers echoTail; when the echo sits outside it
// (devices with long buffers) or before it (far end handed over too late),
// the processor moves the far end by the difference.
type delayEstimator struct {
	ref, mic []float64 // log energies, ring of estHistory blocks
	n        int       // blocks stored (saturates at estHistory)
	at       int       // next slot
	since    int       // blocks since the last estimate
	last     int       // previous accepted lag (blocks), or noLag
	agreed   int       // estimates in a row that agree with last
	xr, xm   []float64 // scratch
}

const (
	estHistory = 300 // 3 s of 10 ms blocks
	estMinHist = 100 // the first estimate after 1 s
	estEvery   = 50  // estimate every 0.5 s
	// estAgree estimates in a row must agree before the far end moves;
	// estAgreeCancelling while the canceller cancels (a move restarts it).
	estAgree           = 2
	estAgreeCancelling = 3
	estMinLag          = -10 // blocks: far end 100 ms late
	estMaxLag          = 70  // blocks: echo 700 ms late
	// estMinCorr is the envelope correlation a lag needs to be trusted: far
	// end alone through a room scores 0.8-0.95, near-end talk over it less,
	// unrelated signals below 0.3.
	estMinCorr = 0.6
	// estMinActive is how many far-end blocks must carry sound.
	estMinActive = 80
	// estFloorDB clips silence so digital zeros do not dominate.
	estFloorDB = -70.0
	noLag      = math.MinInt
)

func newDelayEstimator() *delayEstimator {
	return &delayEstimator{
		ref: make([]float64, estHistory), mic: make([]float64, estHistory),
		xr: make([]float64, estHistory), xm: make([]float64, estHistory), last: noLag,
	}
}

// reset forgets the history (after the far end moved).
func (d *delayEstimator) reset() {
	d.n, d.at, d.since, d.last, d.agreed = 0, 0, 0, noLag, 0
}

// add stores one block pair and, every estEvery blocks, returns the echo
// lag in blocks (ok true) with how many estimates in a row agreed on it
// within a block.
func (d *delayEstimator) add(ref, mic []int16) (lag, agreed int, ok bool) {
	d.ref[d.at], d.mic[d.at] = blockDB(ref), blockDB(mic)
	d.at = (d.at + 1) % estHistory
	d.n = min(d.n+1, estHistory)
	d.since++
	if d.since < estEvery || d.n < estMinHist {
		return 0, 0, false
	}
	d.since = 0
	l, found := d.estimate()
	if !found {
		d.last, d.agreed = noLag, 0
		return 0, 0, false
	}
	if d.last != noLag && abs(l-d.last) <= 1 {
		d.agreed++
	} else {
		d.agreed = 1
	}
	d.last = l
	return l, d.agreed, true
}

// estimate returns the lag (mic later than ref, in blocks) of the best
// envelope correlation, when it is clear enough.
func (d *delayEstimator) estimate() (int, bool) {
	// Unroll the rings oldest first.
	n := d.n
	xr, xm := d.xr[:n], d.xm[:n]
	for i := range n {
		j := (d.at - n + i + estHistory) % estHistory
		xr[i], xm[i] = d.ref[j], d.mic[j]
	}
	active := 0
	for _, v := range xr {
		if v > estFloorDB+10 {
			active++
		}
	}
	if active < estMinActive {
		return 0, false
	}
	best, bestLag := -1.0, 0
	for lag := estMinLag; lag <= estMaxLag; lag++ {
		// Pairs (ref[i], mic[i+lag]).
		lo, hi := max(0, -lag), min(n, n-lag)
		if c := pearson(xr[lo:hi], xm[lo+lag:hi+lag]); c > best {
			best, bestLag = c, lag
		}
	}
	return bestLag, best >= estMinCorr
}

func blockDB(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return max(10*math.Log10(s/float64(len(x))/(32768*32768)+1e-12), estFloorDB)
}

// pearson is the normalised correlation of two equal-length series; 0 when
// either is constant.
func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma, mb = ma/n, mb/n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
