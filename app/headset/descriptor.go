// Package headset reads a USB headset's call buttons (HID Telephony page
// 0x0B: hook switch, phone mute, flash) and drives its LEDs (off-hook,
// ring, mute), vendor-neutral, through Linux hidraw or the Windows HID API.
package headset

import (
	"fmt"
)

// Usage is a HID usage: page in the high 16 bits, id in the low 16.
type Usage uint32

// Page is the usage's page.
func (u Usage) Page() uint16 { return uint16(u >> 16) }

// ID is the usage within its page.
func (u Usage) ID() uint16 { return uint16(u) }

func (u Usage) String() string { return fmt.Sprintf("%04x:%04x", u.Page(), u.ID()) }

// Usage pages and usages the call controls use (HID Usage Tables 1.4).
const (
	pageLED       = 0x08
	pageButton    = 0x09
	pageTelephony = 0x0B

	UsagePhone       Usage = pageTelephony<<16 | 0x01
	UsageHandset     Usage = pageTelephony<<16 | 0x04
	UsageHeadset     Usage = pageTelephony<<16 | 0x05
	UsageHookSwitch  Usage = pageTelephony<<16 | 0x20
	UsageFlash       Usage = pageTelephony<<16 | 0x21
	UsageRedial      Usage = pageTelephony<<16 | 0x24
	UsageDrop        Usage = pageTelephony<<16 | 0x26
	UsagePhoneMute   Usage = pageTelephony<<16 | 0x2F
	UsageLineBusy    Usage = pageTelephony<<16 | 0x97
	UsageRinger      Usage = pageTelephony<<16 | 0x9E
	UsageButtonOne   Usage = pageButton<<16 | 0x01
	UsageButtonSeven Usage = pageButton<<16 | 0x07 // Jabra: reject
	UsageLEDMute     Usage = pageLED<<16 | 0x09
	UsageLEDOffHook  Usage = pageLED<<16 | 0x17
	UsageLEDRing     Usage = pageLED<<16 | 0x18
	UsageLEDHold     Usage = pageLED<<16 | 0x20
	UsageLEDMic      Usage = pageLED<<16 | 0x21
)

// Kind is the direction of a report.
type Kind uint8

// Report kinds.
const (
	Input Kind = iota
	Output
	Feature
)

// Field is one control in a report: where its bits are and what it means.
type Field struct {
	ReportID uint8
	Kind     Kind
	// BitOffset is from the start of the report's data, after the report id.
	BitOffset, BitSize int
	// Usage of a variable field; Usages of an array field (a value v
	// selects Usages[v-LogicalMin]).
	Usage      Usage
	Usages     []Usage
	Array      bool
	Relative   bool
	LogicalMin int32
}

// Descriptor is the parsed report descriptor.
type Descriptor struct {
	// Fields of every report, in order.
	Fields []Field
	// Collections are the top-level application collections' usages.
	Collections []Usage
	// fieldsIn maps each field to its top-level collection (index).
	collectionOf []int
	// bits is each (kind, report id)'s length in bits.
	bits map[reportKey]int
	// numbered: the device prefixes reports with their id.
	numbered bool
}

type reportKey struct {
	kind Kind
	id   uint8
}

// ParseDescriptor reads a HID report descriptor (the bytes of
// /sys/class/hidraw/hidrawN/device/report_descriptor). Usages declared
// with one or two bytes take the usage page in effect when the main item
// comes, as the Linux kernel reads them.
func ParseDescriptor(b []byte) (*Descriptor, error) {
	d := &Descriptor{bits: map[reportKey]int{}}
	type global struct {
		page             uint32
		logMin, logMax   int32
		size, count      int
		reportID         uint8
		logMaxUnsignedOK bool
	}
	var g global
	var stack []global
	type local struct {
		usages   []uint32
		short    []bool // declared without a page
		min, max uint32
		minShort bool
		hasRange bool
	}
	var l local
	depth, top := 0, -1
	for i := 0; i < len(b); {
		prefix := b[i]
		if prefix == 0xFE { // long item: skip it
			if i+2 >= len(b) {
				return nil, fmt.Errorf("%w: long item at %d", ErrBadDescriptor, i)
			}
			i += 3 + int(b[i+1])
			continue
		}
		size := int(prefix & 3)
		if size == 3 {
			size = 4
		}
		if i+1+size > len(b) {
			return nil, fmt.Errorf("%w: item at byte %d runs past the end", ErrBadDescriptor, i)
		}
		var u uint32
		for k := 0; k < size; k++ {
			u |= uint32(b[i+1+k]) << (8 * k)
		}
		s := signExtend(u, size)
		typ, tag := (prefix>>2)&3, prefix>>4
		i += 1 + size
		switch typ {
		case 0: // main
			switch tag {
			case 0x8, 0x9, 0xB: // input, output, feature
				kind := map[byte]Kind{0x8: Input, 0x9: Output, 0xB: Feature}[tag]
				if g.count < 0 || g.size < 0 || g.count > maxFields || g.size*g.count > maxReportBits ||
					d.bits[reportKey{kind, g.reportID}]+g.size*g.count > maxReportBits {
					return nil, fmt.Errorf("%w: a report of more than %d bits", ErrBadDescriptor, maxReportBits)
				}
				usages := resolve(l.usages, l.short, g.page)
				if l.hasRange {
					lo, hi := l.min, l.max
					if l.minShort {
						lo, hi = g.page<<16|lo&0xFFFF, g.page<<16|hi&0xFFFF
					}
					for x := lo; x <= hi && len(usages) < 1024; x++ {
						usages = append(usages, x)
					}
				}
				d.addFields(kind, g.reportID, g.size, g.count, u, usages, g.logMin, top)
				l = local{}
			case 0xA: // collection
				usages := resolve(l.usages, l.short, g.page)
				if depth == 0 && u == 0x01 {
					var coll Usage
					if len(usages) > 0 {
						coll = Usage(usages[0])
					}
					d.Collections = append(d.Collections, coll)
					top = len(d.Collections) - 1
				}
				depth++
				l = local{}
			case 0xC: // end collection
				if depth == 0 {
					return nil, fmt.Errorf("%w: End Collection without a collection", ErrBadDescriptor)
				}
				depth--
				if depth == 0 {
					top = -1
				}
				l = local{}
			}
		case 1: // global
			switch tag {
			case 0x0:
				g.page = u & 0xFFFF
			case 0x1:
				g.logMin = s
			case 0x2:
				g.logMax = s
			case 0x7:
				g.size = int(min(u, 1<<20))
			case 0x8:
				if u == 0 || u > 255 {
					return nil, fmt.Errorf("%w: report id %d", ErrBadDescriptor, u)
				}
				g.reportID = uint8(u)
				d.numbered = true
			case 0x9:
				g.count = int(min(u, 1<<20))
			case 0xA:
				stack = append(stack, g)
			case 0xB:
				if len(stack) == 0 {
					return nil, fmt.Errorf("%w: Pop without Push", ErrBadDescriptor)
				}
				g, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case 2: // local
			switch tag {
			case 0x0:
				l.usages = append(l.usages, usageOf(u, size, g.page))
				l.short = append(l.short, size <= 2)
			case 0x1:
				l.min, l.minShort, l.hasRange = usageOf(u, size, g.page), size <= 2, true
			case 0x2:
				l.max = usageOf(u, size, g.page)
			}
		}
	}
	return d, nil
}

// Bounds on what a descriptor may declare (a high-speed report is at most
// 1024 bytes).
const (
	maxReportBits = 1024 * 8
	maxFields     = 1024
)

// usageOf completes a usage declared with size bytes.
func usageOf(u uint32, size int, page uint32) uint32 {
	if size == 4 {
		return u
	}
	return page<<16 | u&0xFFFF
}

// resolve gives the trailing short usages the page in effect at the main
// item, back to the last one that already had it (Linux's
// hid_concatenate_last_usage_page).
func resolve(usages []uint32, short []bool, page uint32) []uint32 {
	out := append([]uint32(nil), usages...)
	for i := len(out) - 1; i >= 0; i-- {
		if !short[i] {
			continue
		}
		if out[i]>>16 == page {
			break
		}
		out[i] = page<<16 | out[i]&0xFFFF
	}
	return out
}

func signExtend(u uint32, size int) int32 {
	switch size {
	case 1:
		return int32(int8(u))
	case 2:
		return int32(int16(u))
	}
	return int32(u)
}

// addFields lays out count fields of size bits at the end of the report.
func (d *Descriptor) addFields(kind Kind, id uint8, size, count int, flags uint32, usages []uint32, logMin int32, top int) {
	key := reportKey{kind, id}
	constant, variable, relative := flags&1 != 0, flags&2 != 0, flags&4 != 0
	start := d.bits[key]
	d.bits[key] = start + size*count
	if constant || size == 0 {
		return
	}
	if !variable {
		f := Field{ReportID: id, Kind: kind, BitSize: size, Array: true, Relative: relative, LogicalMin: logMin}
		for _, u := range usages {
			f.Usages = append(f.Usages, Usage(u))
		}
		for k := 0; k < count; k++ {
			f.BitOffset = start + k*size
			d.Fields = append(d.Fields, f)
			d.collectionOf = append(d.collectionOf, top)
		}
		return
	}
	for k := 0; k < count; k++ {
		var u uint32
		switch {
		case k < len(usages):
			u = usages[k]
		case len(usages) > 0:
			u = usages[len(usages)-1]
		default:
			continue
		}
		d.Fields = append(d.Fields, Field{ReportID: id, Kind: kind, BitOffset: start + k*size, BitSize: size,
			Usage: Usage(u), Relative: relative, LogicalMin: logMin})
		d.collectionOf = append(d.collectionOf, top)
	}
}

// ReportBytes is the length of a report of kind with id, id byte included.
func (d *Descriptor) ReportBytes(kind Kind, id uint8) int {
	n := (d.bits[reportKey{kind, id}] + 7) / 8
	if d.numbered {
		n++
	}
	return n
}
