//go:build cgo

package dsp

import (
	"errors"
	"strings"
	"testing"
)

type realTimeSource struct{ frameSource }

func (realTimeSource) RealTime() bool { return true }
func (realTimeSource) String() string { return "Mic(48k)" }

func TestStagesDescribeThemselvesAndKeepRealTime(t *testing.T) {
	p, err := New(All(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	src := p.Capture(&realTimeSource{})
	if got := describe(src); got != "Mic(48k) -> DSP(ns+agc+aec, speexdsp 48k/10 ms)" {
		t.Errorf("capture chain %q", got)
	}
	if !isRT(src) || isRT(p.Capture(&frameSource{})) {
		t.Error("capture must be real time exactly when its source is")
	}
	if sink := p.Playback(sinkFunc(nil)); !strings.HasPrefix(describe(sink), "EchoRef -> ") || isRT(sink) {
		t.Errorf("playback %q", describe(sink))
	}
	noEC, err := New(Config{NoiseSuppression: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer noEC.Close()
	var s sinkFunc
	if _, tapped := noEC.Playback(s).(*playback); tapped {
		t.Error("without echo cancellation the sink needs no tap")
	}
}

func isRT(v any) bool {
	rt, ok := v.(interface{ RealTime() bool })
	return ok && rt.RealTime()
}

func TestClosedProcessorRefusesFrames(t *testing.T) {
	p, err := New(All(), nil)
	if err != nil {
		t.Fatal(err)
	}
	src := p.Capture(&frameSource{x: make([]int16, 4*FrameSamples)})
	frame := make([]int16, FrameSamples)
	if err := src.Read(frame); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(p.Close(), p.Close()); err != nil {
		t.Fatalf("Close twice: %v", err)
	}
	if err := src.Read(frame); !errors.Is(err, ErrClosed) {
		t.Errorf("read after Close: %v, want ErrClosed", err)
	}
	q, _ := New(All(), nil)
	defer q.Close()
	if err := q.Capture(&frameSource{x: make([]int16, FrameSamples)}).Read(make([]int16, 480)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("10 ms frame: %v, want ErrFrameSize", err)
	}
}
