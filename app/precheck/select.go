package precheck

import (
	"github.com/homeshore/homeshore/app/config"
	"github.com/homeshore/homeshore/assets/i18n"
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
	missing := func(name string, what i18n.Term) {
		switch {
		case pinned:
			c.add(Fail, "pinned_missing", pin.Description, what, name)
		case name != "":
			c.add(Fail, "device_missing", what, name)
		default:
			c.add(Fail, "no_device", what)
		}
	}
	if !okOut {
		missing(outName, term("output"))
	}
	if !okIn {
		missing(inName, term("microphone"))
	}
	f := &HeadsetFigures{Pinned: pinned}
	c.Figures = f
	if okOut {
		f.Output = Judge(out, pol)
		c.addKey(f.Output.Verdict, f.Output.Code, f.Output.ReasonKey, f.Output.ReasonArgs...)
	}
	if okIn {
		f.Input = Judge(in, pol)
		c.addKey(f.Input.Verdict, f.Input.Code, f.Input.ReasonKey, f.Input.ReasonArgs...)
	}
	if okOut && okIn && out.Muted {
		c.add(Warn, "output_muted", out.Description)
	}
	return c, out, in, pinned
}
