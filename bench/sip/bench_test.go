package sipbench_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
)

// Knobs (environment, so bench/sip/run.sh can shorten or lengthen a run):
// SIPBENCH_WINDOW (CPU sampling window per run, default 20s),
// SIPBENCH_CALLS (concurrent call counts, default "1,4,8"),
// SIPBENCH_REGISTERS (start-to-registered repetitions, default 20).
func envDuration(b *testing.B, key string, def time.Duration) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s=%q: %v", key, v, err)
	}
	return d
}

func envInts(b *testing.B, key, def string) []int {
	v := os.Getenv(key)
	if v == "" {
		v = def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("%s=%q: want positive integers separated by commas", key, v)
		}
		out = append(out, n)
	}
	return out
}

// BenchmarkSIPVsBaresip runs Homeshore and baresip 1.0.0 side by side in
// one run: CPU per call-minute per endpoint for 1..N concurrent loopback
// Opus calls, start-to-registered time on Kamailio with digest, and
// resident memory during a call. It prints one table; run it with
// -benchtime 1x inside scripts/with-test-env.sh (bench/sip/run.sh does).
func BenchmarkSIPVsBaresip(b *testing.B) {
	hs := testenv.RequireHomeshore(b)
	testenv.RequireBinary(b, "baresip")
	testenv.RequireBinary(b, "sox")
	testenv.RequirePulse(b)
	window := envDuration(b, "SIPBENCH_WINDOW", 20*time.Second)
	counts := envInts(b, "SIPBENCH_CALLS", "1,4,8")
	regs := envInts(b, "SIPBENCH_REGISTERS", "20")[0]
	speech := testenv.Espeak(b, "Thank you for calling. Your ticket number is four two seven. "+
		"An agent will be with you shortly; please stay on the line.")

	for range b.N {
		var hsCalls, brCalls []callResult
		for _, n := range counts {
			// Alternate so slow drifts in the machine's load hit both alike.
			hsCalls = append(hsCalls, homeshoreCalls(b, hs, speech, n, window, false))
			brCalls = append(brCalls, baresipCalls(b, speech, n, window))
		}
		// Homeshore playing out through PulseAudio like baresip does,
		// instead of recording: what the device path adds.
		hsDevice := homeshoreCalls(b, hs, speech, 1, window, true)
		reg := benchRegister(b, hs, regs)
		printTable(hsCalls, brCalls, hsDevice, reg)
		b.ReportMetric(hsCalls[0].cpuPerMin, "hs-cpu-s/call-min")
		b.ReportMetric(brCalls[0].cpuPerMin, "baresip-cpu-s/call-min")
	}
}

// BenchmarkRegisterVsBaresip is the start-to-registered part of
// BenchmarkSIPVsBaresip alone, for quick comparisons:
// scripts/with-test-env.sh go test -run '^$' -bench RegisterVsBaresip ./bench/sip/
func BenchmarkRegisterVsBaresip(b *testing.B) {
	hs := testenv.RequireHomeshore(b)
	testenv.RequireBinary(b, "baresip")
	regs := envInts(b, "SIPBENCH_REGISTERS", "20")[0]
	for range b.N {
		reg := benchRegister(b, hs, regs)
		fmt.Printf("\nStart -> 200 OK to REGISTER, median / p90 / max of %d runs: Homeshore %s / %s / %s (with files %s / %s / %s), baresip %s / %s / %s\n",
			len(reg.homeshore), ms(quantile(reg.homeshore, 0.5)), ms(quantile(reg.homeshore, 0.9)), ms(quantile(reg.homeshore, 1)),
			ms(quantile(reg.homeshoreFiles, 0.5)), ms(quantile(reg.homeshoreFiles, 0.9)), ms(quantile(reg.homeshoreFiles, 1)),
			ms(quantile(reg.baresip, 0.5)), ms(quantile(reg.baresip, 0.9)), ms(quantile(reg.baresip, 1)))
		b.ReportMetric(float64(quantile(reg.homeshore, 0.5).Microseconds())/1000, "hs-ms/register")
		b.ReportMetric(float64(quantile(reg.baresip, 0.5).Microseconds())/1000, "baresip-ms/register")
	}
}

func printTable(hs, br []callResult, hsDevice callResult, reg registerResult) {
	fmt.Printf("\nSIP calls vs baresip (%s, %d cores)\n\n", time.Now().UTC().Format(time.RFC3339), numCPU())
	fmt.Println("| what | Homeshore | baresip 1.0.0 |")
	fmt.Println("| --- | --- | --- |")
	for i := range hs {
		fmt.Printf("| CPU-s per call-minute per endpoint, %d concurrent call(s) (caller / answerer) | **%.2f** (%.2f / %.2f) | **%.2f** (%.2f / %.2f) |\n",
			hs[i].calls, hs[i].cpuPerMin, hs[i].callerCPU, hs[i].answererCPU,
			br[i].cpuPerMin, br[i].callerCPU, br[i].answererCPU)
	}
	fmt.Printf("| same, 1 call, Homeshore playing received audio out to PulseAudio instead of recording it | **%.2f** (%.2f / %.2f) | — |\n",
		hsDevice.cpuPerMin, hsDevice.callerCPU, hsDevice.answererCPU)
	fmt.Printf("| Start → 200 OK to REGISTER (digest, %d runs) median / p90 / max | **%s** / %s / %s | **%s** / %s / %s |\n",
		len(reg.homeshore), ms(quantile(reg.homeshore, 0.5)), ms(quantile(reg.homeshore, 0.9)), ms(quantile(reg.homeshore, 1)),
		ms(quantile(reg.baresip, 0.5)), ms(quantile(reg.baresip, 0.9)), ms(quantile(reg.baresip, 1)))
	fmt.Printf("| same, Homeshore with --play/--record files (no audio device opened before REGISTER) | **%s** / %s / %s | — |\n",
		ms(quantile(reg.homeshoreFiles, 0.5)), ms(quantile(reg.homeshoreFiles, 0.9)), ms(quantile(reg.homeshoreFiles, 1)))
	fmt.Printf("| Resident memory mid-call, 1 call, VmRSS / VmHWM per endpoint | **%.1f MB** / %.1f MB | **%.1f MB** / %.1f MB |\n",
		mb(hs[0].rssKB), mb(hs[0].hwmKB), mb(br[0].rssKB), mb(br[0].hwmKB))
	fmt.Printf("| same, Homeshore playing out to PulseAudio | **%.1f MB** / %.1f MB | — |\n",
		mb(hsDevice.rssKB), mb(hsDevice.hwmKB))
	for i := range hs {
		fmt.Printf("| check: CPU window, shortest received recording, %d call(s) | %.1f s, %.1f s | %.1f s, %.1f s |\n",
			hs[i].calls, hs[i].window.Seconds(), hs[i].recordedSeconds, br[i].window.Seconds(), br[i].recordedSeconds)
	}
	fmt.Println()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
func mb(kb int) float64         { return float64(kb) / 1024 }
