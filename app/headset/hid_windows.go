//go:build windows

package headset

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows gives no report descriptor: each HID top-level collection is a
// device path of its own, and hid.dll describes its reports (caps). A
// headset's call buttons are the path whose collection is Telephony
// (usage page 0x0B, Headset/Phone/Handset). Compile-tested only: see
// docs/gui.md for what a real headset on Windows must confirm.

var (
	hid                   = windows.NewLazySystemDLL("hid.dll")
	procGetAttributes     = hid.NewProc("HidD_GetAttributes")
	procGetPreparsedData  = hid.NewProc("HidD_GetPreparsedData")
	procFreePreparsedData = hid.NewProc("HidD_FreePreparsedData")
	procGetProductString  = hid.NewProc("HidD_GetProductString")
	procGetCaps           = hid.NewProc("HidP_GetCaps")
	procGetButtonCaps     = hid.NewProc("HidP_GetButtonCaps")
	procGetUsagesEx       = hid.NewProc("HidP_GetUsagesEx")
	procSetUsages         = hid.NewProc("HidP_SetUsages")
	guidDevInterfaceHID   = windows.GUID{Data1: 0x4D1E55B2, Data2: 0xF16F, Data3: 0x11CF, Data4: [8]byte{0x88, 0xCB, 0x00, 0x11, 0x11, 0x00, 0x00, 0x30}}
	errHIDPStatus         = errors.New("the Windows HID parser refused the report")
)

// hid.dll constants.
const (
	hidpStatusSuccess  = uintptr(0x00110000)
	hidpInput          = uintptr(0)
	hidpOutput         = uintptr(1)
	maxUsagesPerReport = 64
)

// hiddAttributes is HIDD_ATTRIBUTES.
type hiddAttributes struct {
	Size          uint32
	VendorID      uint16
	ProductID     uint16
	VersionNumber uint16
}

// hidpCaps is HIDP_CAPS.
type hidpCaps struct {
	Usage                     uint16
	UsagePage                 uint16
	InputReportByteLength     uint16
	OutputReportByteLength    uint16
	FeatureReportByteLength   uint16
	Reserved                  [17]uint16
	NumberLinkCollectionNodes uint16
	NumberInputButtonCaps     uint16
	NumberInputValueCaps      uint16
	NumberInputDataIndices    uint16
	NumberOutputButtonCaps    uint16
	NumberOutputValueCaps     uint16
	NumberOutputDataIndices   uint16
	NumberFeatureButtonCaps   uint16
	NumberFeatureValueCaps    uint16
	NumberFeatureDataIndices  uint16
}

// buttonCaps is HIDP_BUTTON_CAPS (the Range arm of its union).
type buttonCaps struct {
	UsagePage         uint16
	ReportID          uint8
	IsAlias           uint8
	BitField          uint16
	LinkCollection    uint16
	LinkUsage         uint16
	LinkUsagePage     uint16
	IsRange           uint8
	IsStringRange     uint8
	IsDesignatorRange uint8
	IsAbsolute        uint8
	ReportCount       uint16
	Reserved2         uint16
	Reserved          [9]uint32
	UsageMin          uint16 // NotRange.Usage when IsRange is 0
	UsageMax          uint16
	StringMin         uint16
	StringMax         uint16
	DesignatorMin     uint16
	DesignatorMax     uint16
	DataIndexMin      uint16
	DataIndexMax      uint16
}

// usageAndPage is USAGE_AND_PAGE.
type usageAndPage struct{ Usage, UsagePage uint16 }

// Open finds a headset's telephony collection and opens it; prefer
// ("vvvv:pppp") wins when several are there.
func Open(prefer string) (Device, Layout, Info, error) {
	paths, err := windows.CM_Get_Device_Interface_List("", &guidDevInterfaceHID, windows.CM_GET_DEVICE_INTERFACE_LIST_PRESENT)
	if err != nil {
		return nil, nil, Info{}, fmt.Errorf("listing HID devices: %w", err)
	}
	type cand struct {
		info Info
		dev  *winDevice
		lay  *capsLayout
	}
	var cands []cand
	for _, p := range paths {
		d, lay, info, err := openWin(p)
		if err != nil {
			continue
		}
		cands = append(cands, cand{info, d, lay})
	}
	if len(cands) == 0 {
		return nil, nil, Info{}, ErrNoHeadset
	}
	sort.SliceStable(cands, func(i, j int) bool {
		return cands[i].info.USBID() == prefer && cands[j].info.USBID() != prefer
	})
	for _, c := range cands[1:] {
		_ = c.dev.Close()
	}
	return cands[0].dev, cands[0].lay, cands[0].info, nil
}

func openWin(path string) (*winDevice, *capsLayout, Info, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, nil, Info{}, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return nil, nil, Info{}, err
	}
	fail := func(err error) (*winDevice, *capsLayout, Info, error) {
		_ = windows.CloseHandle(h)
		return nil, nil, Info{}, err
	}
	var pp uintptr
	if r, _, e := procGetPreparsedData.Call(uintptr(h), uintptr(unsafe.Pointer(&pp))); r == 0 {
		return fail(fmt.Errorf("HidD_GetPreparsedData: %w", e))
	}
	var caps hidpCaps
	if r, _, _ := procGetCaps.Call(pp, uintptr(unsafe.Pointer(&caps))); r != hidpStatusSuccess {
		procFreePreparsedData.Call(pp)
		return fail(errHIDPStatus)
	}
	u := Usage(uint32(caps.UsagePage)<<16 | uint32(caps.Usage))
	if u != UsageHeadset && u != UsagePhone && u != UsageHandset {
		procFreePreparsedData.Call(pp)
		return fail(ErrNoTelephony)
	}
	lay := &capsLayout{pp: pp, caps: caps, relative: map[Usage]bool{}, inputs: map[uint8][]Usage{}, outputs: map[uint8][]Usage{}}
	lay.buttons(hidpInput, int(caps.NumberInputButtonCaps), lay.inputs)
	lay.buttons(hidpOutput, int(caps.NumberOutputButtonCaps), lay.outputs)
	info := Info{Path: path}
	attrs := hiddAttributes{Size: uint32(unsafe.Sizeof(hiddAttributes{}))}
	if r, _, _ := procGetAttributes.Call(uintptr(h), uintptr(unsafe.Pointer(&attrs))); r != 0 {
		info.VendorID, info.ProductID = attrs.VendorID, attrs.ProductID
	}
	name := make([]uint16, 128)
	if r, _, _ := procGetProductString.Call(uintptr(h), uintptr(unsafe.Pointer(&name[0])), uintptr(len(name)*2)); r != 0 {
		info.Name = windows.UTF16ToString(name)
	}
	return &winDevice{h: h, lay: lay}, lay, info, nil
}

// capsLayout is a headset's layout as hid.dll describes it.
type capsLayout struct {
	pp       uintptr
	caps     hidpCaps
	relative map[Usage]bool
	// inputs and outputs list the button usages of each report id.
	inputs, outputs map[uint8][]Usage
}

func (l *capsLayout) buttons(kind uintptr, n int, into map[uint8][]Usage) {
	if n == 0 {
		return
	}
	caps := make([]buttonCaps, n)
	count := uint16(n)
	if r, _, _ := procGetButtonCaps.Call(kind, uintptr(unsafe.Pointer(&caps[0])), uintptr(unsafe.Pointer(&count)), l.pp); r != hidpStatusSuccess {
		return
	}
	for _, c := range caps[:count] {
		lo, hi := c.UsageMin, c.UsageMin
		if c.IsRange != 0 {
			hi = c.UsageMax
		}
		for u := uint32(lo); u <= uint32(hi); u++ {
			usage := Usage(uint32(c.UsagePage)<<16 | u)
			into[c.ReportID] = append(into[c.ReportID], usage)
			if kind == hidpInput && c.IsAbsolute == 0 {
				l.relative[usage] = true
			}
		}
	}
}

// Decode asks hid.dll which buttons the report holds on.
func (l *capsLayout) Decode(report []byte) (map[Usage]int32, bool) {
	if len(report) == 0 {
		return nil, false
	}
	known, ok := l.inputs[report[0]]
	if !ok {
		return nil, false
	}
	values := map[Usage]int32{}
	for _, u := range known {
		values[u] = 0
	}
	list := make([]usageAndPage, maxUsagesPerReport)
	n := uint32(len(list))
	r, _, _ := procGetUsagesEx.Call(hidpInput, 0, uintptr(unsafe.Pointer(&list[0])), uintptr(unsafe.Pointer(&n)),
		l.pp, uintptr(unsafe.Pointer(&report[0])), uintptr(len(report)))
	if r != hidpStatusSuccess {
		return nil, false
	}
	for _, up := range list[:n] {
		values[Usage(uint32(up.UsagePage)<<16|uint32(up.Usage))] = 1
	}
	return values, true
}

// Encode builds each output report that carries LEDs.
func (l *capsLayout) Encode(on map[Usage]bool) [][]byte {
	var ids []int
	for id := range l.outputs {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	var out [][]byte
	for _, id := range ids {
		buf := make([]byte, l.caps.OutputReportByteLength)
		if len(buf) == 0 {
			continue
		}
		buf[0] = byte(id)
		for _, u := range l.outputs[uint8(id)] {
			if !on[u] {
				continue
			}
			usage := u.ID()
			n := uint32(1)
			procSetUsages.Call(hidpOutput, uintptr(u.Page()), 0, uintptr(unsafe.Pointer(&usage)), uintptr(unsafe.Pointer(&n)),
				l.pp, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
		}
		out = append(out, buf)
	}
	return out
}

// Relative reports whether u is a push button.
func (l *capsLayout) Relative(u Usage) bool { return l.relative[u] }

// winDevice reads and writes reports on the collection's handle.
type winDevice struct {
	h    windows.Handle
	lay  *capsLayout
	once sync.Once
}

func (d *winDevice) Read(p []byte) (int, error) {
	var n uint32
	err := windows.ReadFile(d.h, p, &n, nil)
	return int(n), err
}

func (d *winDevice) Write(p []byte) (int, error) {
	var n uint32
	err := windows.WriteFile(d.h, p, &n, nil)
	return int(n), err
}

// Close cancels a blocked read, closes the handle and frees the caps.
func (d *winDevice) Close() error {
	var err error
	d.once.Do(func() {
		_ = windows.CancelIoEx(d.h, nil)
		err = windows.CloseHandle(d.h)
		procFreePreparsedData.Call(d.lay.pp)
	})
	return err
}
