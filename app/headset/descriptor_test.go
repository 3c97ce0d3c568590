package headset

import (
	"errors"
	"os"
	"testing"
)

func load(t *testing.T, name string) *Telephony {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseDescriptor(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	tel, err := FindTelephony(d)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tel
}

// The report descriptors of real headsets (testdata/README.md): where each
// call control and LED is.
func TestRealHeadsetDescriptors(t *testing.T) {
	type where struct {
		id        uint8
		off, size int
		relative  bool
	}
	for _, c := range []struct {
		file    string
		inputs  map[Usage]where
		outputs map[Usage]where
	}{
		{"jabra-biz-2400-ii-0b0e-2453.bin",
			map[Usage]where{UsageHookSwitch: {2, 0, 1, false}, UsageLineBusy: {2, 1, 1, false}, UsagePhoneMute: {2, 2, 1, true},
				UsageFlash: {2, 3, 1, true}, UsageRedial: {2, 4, 1, true}, UsageButtonSeven: {2, 11, 1, false}},
			map[Usage]where{UsageLEDOffHook: {2, 0, 1, false}, UsageLEDMute: {2, 1, 1, false}, UsageLEDRing: {2, 2, 1, false},
				UsageLEDHold: {2, 3, 1, false}, UsageRinger: {2, 5, 1, false}}},
		{"jabra-evolve-link-ms-0b0e-0307.bin",
			map[Usage]where{UsageHookSwitch: {2, 0, 1, false}, UsagePhoneMute: {2, 2, 1, true}, UsageButtonSeven: {2, 6, 1, false}},
			map[Usage]where{UsageLEDOffHook: {2, 0, 1, false}, UsageLEDMute: {2, 1, 1, false}, UsageLEDRing: {2, 2, 1, false}}},
		{"poly-blackwire-c5220-047f-c053.bin",
			map[Usage]where{UsagePhoneMute: {8, 0, 1, true}, UsageHookSwitch: {8, 1, 1, false}, UsageFlash: {8, 2, 1, false}},
			map[Usage]where{UsageLEDMute: {9, 0, 1, false}, UsageLEDOffHook: {0x17, 0, 1, false}, UsageLEDRing: {0x18, 0, 1, false}}},
		{"poly-voyager-base-cd-047f-02ec.bin",
			map[Usage]where{UsageHookSwitch: {1, 0, 1, false}, UsagePhoneMute: {1, 1, 1, true}},
			map[Usage]where{UsageLEDRing: {1, 0, 1, false}, UsageLEDMute: {3, 0, 1, false}, UsageLEDOffHook: {4, 0, 1, false}}},
		{"poly-blackwire-3220-047f-c056.bin",
			map[Usage]where{UsagePhoneMute: {8, 0, 1, true}, UsageHookSwitch: {8, 1, 1, false}, UsageFlash: {8, 2, 1, false}},
			map[Usage]where{UsageLEDMute: {9, 0, 1, false}, UsageLEDOffHook: {0x17, 0, 1, false}, UsageLEDRing: {0x18, 0, 1, false}}},
	} {
		t.Run(c.file, func(t *testing.T) {
			tel := load(t, c.file)
			check := func(fields []Field, want map[Usage]where) {
				for u, w := range want {
					found := false
					for _, f := range fields {
						if f.Usage == u {
							found = true
							if f.ReportID != w.id || f.BitOffset != w.off || f.BitSize != w.size || f.Relative != w.relative {
								t.Errorf("%v: report %d bit %d size %d relative %v; want %+v", u, f.ReportID, f.BitOffset, f.BitSize, f.Relative, w)
							}
						}
					}
					if !found {
						t.Errorf("%v not found", u)
					}
				}
			}
			check(tel.inputs, c.inputs)
			check(tel.outputs, c.outputs)
		})
	}
}

// A descriptor without a telephony collection (a gaming headset's media
// keys) has no call buttons; a broken one is an error, never a panic.
func TestNotATelephonyHeadset(t *testing.T) {
	consumer := []byte{0x05, 0x0C, 0x09, 0x01, 0xA1, 0x01, 0x09, 0xE9, 0x09, 0xEA, 0x15, 0x00, 0x25, 0x01, 0x75, 0x01, 0x95, 0x02, 0x81, 0x02, 0x95, 0x06, 0x81, 0x01, 0xC0}
	d, err := ParseDescriptor(consumer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FindTelephony(d); !errors.Is(err, ErrNoTelephony) {
		t.Fatalf("consumer keys: %v, want ErrNoTelephony", err)
	}
	for _, bad := range [][]byte{{0x05}, {0xC0}, {0xB4}, {0x85, 0x00}, {0x27, 0xFF}} {
		if _, err := ParseDescriptor(bad); !errors.Is(err, ErrBadDescriptor) {
			t.Errorf("% x: %v, want ErrBadDescriptor", bad, err)
		}
	}
}

// FuzzParseDescriptor: no input panics the parser or the decoder.
func FuzzParseDescriptor(f *testing.F) {
	for _, name := range []string{"jabra-biz-2400-ii-0b0e-2453.bin", "poly-blackwire-c5220-047f-c053.bin"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, []byte{2, 1})
	}
	f.Fuzz(func(t *testing.T, desc, report []byte) {
		d, err := ParseDescriptor(desc)
		if err != nil {
			return
		}
		tel, err := FindTelephony(d)
		if err != nil {
			return
		}
		h := NewHandler(tel)
		h.Report(report)
		h.SetState(CallState{OffHook: true, Muted: true, Ringing: true})
	})
}
