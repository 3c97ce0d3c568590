package analysis

import (
	"math"
	"math/bits"
)

// fft is an in-place iterative radix-2 FFT; len(a) must be a power of two.
// inverse=true computes the unscaled inverse.
func fft(a []complex128, inverse bool) {
	n := len(a)
	shift := 64 - uint(bits.Len(uint(n))-1)
	for i := 0; i < n; i++ {
		j := int(bits.Reverse64(uint64(i)) >> shift)
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	sign := -1.0
	if inverse {
		sign = 1
	}
	for size := 2; size <= n; size <<= 1 {
		ang := sign * 2 * math.Pi / float64(size)
		wStep := complex(math.Cos(ang), math.Sin(ang))
		half := size / 2
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := 0; k < half; k++ {
				u, v := a[start+k], a[start+k+half]*w
				a[start+k], a[start+k+half] = u+v, u-v
				w *= wStep
			}
		}
	}
}

func nextPow2(n int) int {
	p := 1
	for p < n {
		p <<= 1
	}
	return p
}

// crossCorrelate returns r[τ] = Σ_n y[n+τ]·x[n] for τ in [0, maxLag].
func crossCorrelate(x, y []float32, maxLag int) []float64 {
	n := nextPow2(len(x) + len(y))
	fx := make([]complex128, n)
	fy := make([]complex128, n)
	for i, v := range x {
		fx[i] = complex(float64(v), 0)
	}
	for i, v := range y {
		fy[i] = complex(float64(v), 0)
	}
	fft(fx, false)
	fft(fy, false)
	for i := range fx {
		fy[i] *= complex(real(fx[i]), -imag(fx[i]))
	}
	fft(fy, true)
	if maxLag >= n {
		maxLag = n - 1
	}
	r := make([]float64, maxLag+1)
	for t := range r {
		r[t] = real(fy[t]) / float64(n)
	}
	return r
}
