//go:build linux

package headset

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Open finds a connected headset with call buttons through hidraw and
// opens it; prefer ("vvvv:pppp", the headset the check passed) wins when
// several are there.
func Open(prefer string) (Device, Layout, Info, error) {
	return openHidraw("/sys/class/hidraw", "/dev", prefer)
}

// openHidraw reads each hidraw node's report descriptor and uevent from
// sysRoot and opens the first telephony headset under devRoot.
func openHidraw(sysRoot, devRoot, prefer string) (Device, Layout, Info, error) {
	nodes, err := os.ReadDir(sysRoot)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, Info{}, ErrNoHeadset
	}
	if err != nil {
		return nil, nil, Info{}, fmt.Errorf("listing HID devices: %w", err)
	}
	type cand struct {
		info Info
		t    *Telephony
	}
	var cands []cand
	for _, n := range nodes {
		dir := filepath.Join(sysRoot, n.Name(), "device")
		desc, err := os.ReadFile(filepath.Join(dir, "report_descriptor"))
		if err != nil {
			continue
		}
		d, err := ParseDescriptor(desc)
		if err != nil {
			continue
		}
		t, err := FindTelephony(d)
		if err != nil {
			continue
		}
		info := readUevent(filepath.Join(dir, "uevent"))
		info.Path = filepath.Join(devRoot, n.Name())
		cands = append(cands, cand{info, t})
	}
	if len(cands) == 0 {
		return nil, nil, Info{}, ErrNoHeadset
	}
	sort.SliceStable(cands, func(i, j int) bool {
		return cands[i].info.USBID() == prefer && cands[j].info.USBID() != prefer
	})
	var errs []error
	for _, c := range cands {
		f, err := os.OpenFile(c.info.Path, os.O_RDWR, 0)
		if err != nil {
			if errors.Is(err, fs.ErrPermission) {
				err = fmt.Errorf("%s (%s): %w: install the udev rule in docs/gui.md so the agent may use it", c.info.Name, c.info.Path, err)
			}
			errs = append(errs, err)
			continue
		}
		return f, c.t, c.info, nil
	}
	return nil, nil, Info{}, errors.Join(append([]error{ErrNoHeadset}, errs...)...)
}

// readUevent takes HID_NAME and HID_ID (bus:vendor:product) from a uevent.
func readUevent(path string) Info {
	var info Info
	b, err := os.ReadFile(path)
	if err != nil {
		return info
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "HID_NAME":
			info.Name = v
		case "HID_ID":
			if f := strings.Split(v, ":"); len(f) == 3 {
				vid, _ := strconv.ParseUint(f[1], 16, 32)
				pid, _ := strconv.ParseUint(f[2], 16, 32)
				info.VendorID, info.ProductID = uint16(vid), uint16(pid)
			}
		}
	}
	return info
}
