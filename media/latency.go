package media

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Where the delay of a call's audio goes, stage by stage, so that a
// "the other side hears me late" report (and our benchmarks) can be read
// from one log line: mouth-to-ear of A to B is A's send side plus B's
// receive side.
//
//	send:    capture device (its own report) + one frame of packetisation
//	         + queue (capture Read to the packet leaving)
//	receive: network (half the RTT) + jitter buffer (arrival to playout)
//	         + playback device (its own report)
type latencyFigures struct {
	capture   avgDuration   // the capture device's latency, as it reports it
	sendQueue avgDuration   // a captured frame waiting for the sender
	playout   avgDuration   // the playback device's latency, as it reports it
	underruns atomic.Uint64 // the playback device's underruns, as it last reported them
}

// latencySampleEvery is how often the devices are asked for their latency
// (a round trip to the sound server, kept off every frame).
const latencySampleEvery = 100 // frames

// avgDuration is a smoothed duration with one writer and any readers.
type avgDuration struct{ ns atomic.Int64 }

func (a *avgDuration) add(d time.Duration) {
	d = max(d, 1) // 0 means "never measured"
	old := time.Duration(a.ns.Load())
	if old == 0 {
		a.ns.Store(int64(d))
		return
	}
	a.ns.Store(int64(old + (d-old)/8))
}

func (a *avgDuration) get() time.Duration { return time.Duration(a.ns.Load()) }

// sampleUnderruns records how often the playback device v ran dry, if it
// says.
func sampleUnderruns(v any, into *atomic.Uint64) {
	if ur, ok := v.(UnderrunReporter); ok {
		into.Store(ur.Underruns())
	}
}

// sampleLatency records what v (a device, or a stage wrapping one) says
// its latency is, if it says.
func sampleLatency(v any, into *avgDuration) {
	if lr, ok := v.(LatencyReporter); ok {
		if d := lr.Latency(); d > 0 {
			into.add(d)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// latencyChain is the log line: each stage and the total of each side.
func latencyChain(st Stats) string {
	return fmt.Sprintf("send %.0f ms = capture %.1f + frame %.0f + queue %.1f; receive %.0f ms = network %.1f + jitter buffer %.1f + playout %.1f (%d underruns)",
		st.SendLatencyMs, st.CaptureMs, ms(FrameDuration), st.SendQueueMs,
		st.ReceiveLatencyMs, st.RTTMs/2, st.JitterBufferMs, st.PlayoutMs, st.PlayoutUnderruns)
}
