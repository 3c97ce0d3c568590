//go:build cgo

package dsp

/*
#cgo pkg-config: speexdsp
#include <speex/speex_preprocess.h>
#include <speex/speex_echo.h>

static int pp_set_int(SpeexPreprocessState *st, int req, int v) { return speex_preprocess_ctl(st, req, &v); }
static int pp_set_float(SpeexPreprocessState *st, int req, float v) { return speex_preprocess_ctl(st, req, &v); }
static int pp_get_int(SpeexPreprocessState *st, int req) { int v = 0; speex_preprocess_ctl(st, req, &v); return v; }
static int pp_set_echo(SpeexPreprocessState *st, SpeexEchoState *es) { return speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_ECHO_STATE, es); }
static int echo_set_rate(SpeexEchoState *es, int rate) { return speex_echo_ctl(es, SPEEX_ECHO_SET_SAMPLING_RATE, &rate); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Available reports whether this build links the DSP library.
const Available = true

// speex is the engine over speexdsp's preprocessor and echo canceller, both
// at SampleRate on blockSamples blocks. Only the capture goroutine calls it.
type speex struct {
	pp   *C.SpeexPreprocessState
	echo *C.SpeexEchoState // nil without echo cancellation
	// linked: the preprocessor removes the canceller's residual echo.
	linked bool
}

func newEngine(cfg Config) (engine, error) {
	e := &speex{pp: C.speex_preprocess_state_init(blockSamples, SampleRate)}
	if e.pp == nil {
		return nil, fmt.Errorf("speexdsp preprocessor: %w", ErrUnavailable)
	}
	// Residual echo is removed by the preprocessor's gains, which run only
	// with the denoiser on: echo cancellation alone keeps it on with a
	// noise floor of 0 dB (no noise attenuated).
	denoise := cfg.NoiseSuppression || cfg.EchoCancel
	suppress := 0
	if cfg.NoiseSuppression {
		suppress = noiseSuppressDB
	}
	sets := []C.int{
		C.pp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_DENOISE, cbool(denoise)),
		C.pp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, C.int(suppress)),
		C.pp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_DEREVERB, 0),
		C.pp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_AGC, cbool(cfg.AGC)),
	}
	if cfg.AGC {
		sets = append(sets,
			C.pp_set_float(e.pp, C.SPEEX_PREPROCESS_SET_AGC_LEVEL, agcLevel),
			C.pp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_AGC_MAX_GAIN, agcMaxGainDB),
			C.pp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_AGC_INCREMENT, agcIncrementDBs),
			C.pp_set_int(e.pp, C.SPEEX_PREPROCESS_SET_AGC_DECREMENT, agcDecrementDBs))
	}
	if cfg.EchoCancel {
		e.echo = C.speex_echo_state_init(blockSamples, C.int(echoTailSamples))
		if e.echo == nil {
			e.close()
			return nil, fmt.Errorf("speexdsp echo canceller: %w", ErrUnavailable)
		}
		sets = append(sets, C.echo_set_rate(e.echo, SampleRate))
	}
	for i, r := range sets {
		if r != 0 {
			e.close()
			return nil, fmt.Errorf("speexdsp setting %d refused (%d): %w", i, int(r), ErrUnavailable)
		}
	}
	return e, nil
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// cancel subtracts the echo of ref it estimates from mic into out.
func (e *speex) cancel(mic, ref, out []int16) {
	C.speex_echo_cancellation(e.echo, (*C.spx_int16_t)(unsafe.Pointer(&mic[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&ref[0])), (*C.spx_int16_t)(unsafe.Pointer(&out[0])))
}

// preprocess denoises and levels x in place, removing the residual echo the
// canceller estimates while linked.
func (e *speex) preprocess(x []int16) {
	C.speex_preprocess_run(e.pp, (*C.spx_int16_t)(unsafe.Pointer(&x[0])))
}

// linkEcho hands the preprocessor the canceller's residual echo estimate
// (on), or none (off).
func (e *speex) linkEcho(on bool) {
	if e.echo == nil || on == e.linked {
		return
	}
	if on {
		C.pp_set_echo(e.pp, e.echo)
	} else {
		C.pp_set_echo(e.pp, nil)
	}
	e.linked = on
}

func (e *speex) resetEcho() {
	if e.echo != nil {
		C.speex_echo_state_reset(e.echo)
	}
}

func (e *speex) close() {
	if e.echo != nil {
		C.speex_echo_state_destroy(e.echo)
		e.echo = nil
	}
	if e.pp != nil {
		C.speex_preprocess_state_destroy(e.pp)
		e.pp = nil
	}
}

func (e *speex) String() string { return "speexdsp" }
