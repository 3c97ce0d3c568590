package headset

import "fmt"

// Telephony is the call-control part of a headset's descriptor: the input
// fields of its telephony collection (hook switch, mute, flash...) and the
// output fields that light its LEDs (off-hook, ring, mute).
type Telephony struct {
	d        *Descriptor
	inputs   []Field
	outputs  []Field
	numbered bool
}

// FindTelephony picks the first top-level application collection of the
// Telephony page (Headset, Phone or Handset).
func FindTelephony(d *Descriptor) (*Telephony, error) {
	coll := -1
	for i, u := range d.Collections {
		if u == UsageHeadset || u == UsagePhone || u == UsageHandset {
			coll = i
			break
		}
	}
	if coll < 0 {
		return nil, ErrNoTelephony
	}
	t := &Telephony{d: d, numbered: d.numbered}
	for i, f := range d.Fields {
		if d.collectionOf[i] != coll {
			continue
		}
		switch f.Kind {
		case Input:
			t.inputs = append(t.inputs, f)
		case Output:
			t.outputs = append(t.outputs, f)
		}
	}
	if !t.Has(UsageHookSwitch) {
		return nil, fmt.Errorf("%w: the telephony collection has no hook switch", ErrNoTelephony)
	}
	return t, nil
}

// Has reports whether the headset has an input control for u.
func (t *Telephony) Has(u Usage) bool {
	for _, f := range t.inputs {
		if f.Usage == u {
			return true
		}
		for _, a := range f.Usages {
			if a == u {
				return true
			}
		}
	}
	return false
}

// HasLED reports whether the headset has an output (LED) for u.
func (t *Telephony) HasLED(u Usage) bool {
	for _, f := range t.outputs {
		if f.Usage == u {
			return true
		}
	}
	return false
}

// Relative reports whether u's control is a push button (relative).
func (t *Telephony) Relative(u Usage) bool {
	for _, f := range t.inputs {
		if f.Usage == u {
			return f.Relative
		}
	}
	return false
}

// Decode reads one input report: each telephony control it carries and
// its value; ok is false for a report of another collection.
func (t *Telephony) Decode(report []byte) (values map[Usage]int32, ok bool) {
	id, data := uint8(0), report
	if t.numbered {
		if len(report) == 0 {
			return nil, false
		}
		id, data = report[0], report[1:]
	}
	values = map[Usage]int32{}
	for _, f := range t.inputs {
		if f.ReportID != id {
			continue
		}
		ok = true
		v, in := bits(data, f.BitOffset, f.BitSize)
		if !in {
			continue
		}
		if !f.Array {
			values[f.Usage] = int32(v)
			continue
		}
		for _, u := range f.Usages {
			if _, set := values[u]; !set {
				values[u] = 0
			}
		}
		if k := int64(v) - int64(f.LogicalMin); v != 0 && k >= 0 && k < int64(len(f.Usages)) {
			values[f.Usages[k]] = 1
		}
	}
	return values, ok
}

// Encode writes the LEDs on (others off) into the output reports of the
// telephony collection that carry LEDs, report id first when numbered.
func (t *Telephony) Encode(on map[Usage]bool) [][]byte {
	byID := map[uint8][]byte{}
	var order []uint8
	for _, f := range t.outputs {
		if f.Array || (f.Usage.Page() != pageLED && f.Usage != UsageRinger) {
			continue
		}
		buf, seen := byID[f.ReportID]
		if !seen {
			buf = make([]byte, t.d.ReportBytes(Output, f.ReportID))
			if t.numbered {
				buf[0] = f.ReportID
			}
			byID[f.ReportID] = buf
			order = append(order, f.ReportID)
		}
		if on[f.Usage] {
			data := buf
			if t.numbered {
				data = buf[1:]
			}
			setBits(data, f.BitOffset, f.BitSize, 1)
		}
	}
	out := make([][]byte, 0, len(order))
	for _, id := range order {
		out = append(out, byID[id])
	}
	return out
}

// bits reads size bits at off (LSB first, as HID packs them).
func bits(b []byte, off, size int) (uint32, bool) {
	if size > 32 || off+size > len(b)*8 {
		return 0, false
	}
	var v uint32
	for k := 0; k < size; k++ {
		bit := off + k
		if b[bit/8]>>(bit%8)&1 == 1 {
			v |= 1 << k
		}
	}
	return v, true
}

func setBits(b []byte, off, size int, v uint32) {
	for k := 0; k < size && off+k < len(b)*8; k++ {
		bit := off + k
		if v>>k&1 == 1 {
			b[bit/8] |= 1 << (bit % 8)
		} else {
			b[bit/8] &^= 1 << (bit % 8)
		}
	}
}
