package precheck

import (
	"fmt"

	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/media/devinfo"
)

// checkHeadset picks the output and input (explicit, else pinned, else the
// defaults) and judges them. A pinned or named device that is absent fails:
// Homeshore never falls back to another device on its own.
func checkHeadset(devs []devinfo.Device, o Options, pins PinStore) (CheckResult, devinfo.Device, devinfo.Device, bool) {
	c := CheckResult{Name: config.CheckHeadset, Verdict: Pass}
	pol := o.Policy.Checks.Headset
	outName, inName := o.Output, o.Input
	pinned := false
	var pin Pin
	if outName == "" && inName == "" && pol.Pin {
		if p, ok, _ := pins.Load(); ok {
			pin, pinned = p, true
			outName, inName = p.Output, p.Input
		}
	}
	find := func(name string, dir devinfo.Direction) (devinfo.Device, bool) {
		for _, d := range devs {
			if d.Direction != dir {
				continue
			}
			if (name == "" && d.Default) || (name != "" && d.ID == name) {
				return d, true
			}
		}
		return devinfo.Device{}, false
	}
	out, okOut := find(outName, devinfo.Output)
	in, okIn := find(inName, devinfo.Input)
	missing := func(name string, what string) {
		switch {
		case pinned:
			c.add(Fail, "pinned_missing", fmt.Sprintf("Your headset %q is not connected (%s %s missing): plug it in. Homeshore does not switch to another device by itself", pin.Description, what, name))
		case name != "":
			c.add(Fail, "device_missing", fmt.Sprintf("The %s %q is not connected: plug it in or choose another device", what, name))
		default:
			c.add(Fail, "no_device", fmt.Sprintf("No %s found: plug in your headset", what))
		}
	}
	if !okOut {
		missing(outName, "output")
	}
	if !okIn {
		missing(inName, "microphone")
	}
	f := &HeadsetFigures{Pinned: pinned}
	c.Figures = f
	if okOut {
		f.Output = Judge(out, pol)
		c.add(f.Output.Verdict, f.Output.Code, f.Output.Reason)
	}
	if okIn {
		f.Input = Judge(in, pol)
		c.add(f.Input.Verdict, f.Input.Code, f.Input.Reason)
	}
	if okOut && okIn && out.Muted {
		c.add(Warn, "output_muted", fmt.Sprintf("%q is muted: unmute it", out.Description))
	}
	return c, out, in, pinned
}
