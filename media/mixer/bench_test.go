package mixer

import (
	"fmt"
	"testing"

	"github.com/homeshore/homeshore/media"
)

// BenchmarkTick is one 20 ms mix: every party speaks and hears everybody
// else (a conference, the costliest routing). One tick must stay far below
// 20 ms of CPU; docs/BENCHMARKS.md records the figures.
func BenchmarkTick(b *testing.B) {
	for _, n := range []int{2, 3, 5} {
		b.Run(fmt.Sprintf("parties=%d", n), func(b *testing.B) {
			m := New(Options{})
			defer m.Close()
			ports := make([]*Port, n)
			for i := range ports {
				p, err := m.Add(fmt.Sprint("p", i))
				if err != nil {
					b.Fatal(err)
				}
				ports[i] = p
			}
			routes := Routes{}
			for _, p := range ports {
				routes[p] = ports
			}
			m.SetRoutes(routes)
			in := frameOf(100)
			out := make([]int16, media.FrameSamples)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				for _, p := range ports {
					p.offer(in)
				}
				m.tick()
				for _, p := range ports {
					p.takeOutput(out)
				}
			}
		})
	}
}
