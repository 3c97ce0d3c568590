package precheck

// settleHeadset lets the acoustic tests decide what the metadata could not
// tell, each for the side it can see:
//
//   - the leak test speaks for the output: a passing leak test (measured on
//     live sound, with the probe played) shows the output is not open
//     speakers; a failing one shows it is;
//   - it says nothing about the microphone (a laptop microphone does not hear
//     a headset earpiece either): an unrecognised input stays unproven until
//     the read sentence (mic, when measured) shows a close-talk microphone;
//     a distant one fails it.
//
// Only a headset check that warns is settled (policy checks.headset.unknown
// = warn); with "fail" IT wants metadata to prove the headset.
func settleHeadset(hc *CheckResult, leak CheckResult, mic *CheckResult) {
	f, ok := hc.Figures.(*HeadsetFigures)
	if !ok || hc.Verdict != Warn {
		return
	}
	outUnknown, inUnknown := f.Output.Kind == KindUnknown, f.Input.Kind == KindUnknown
	if !outUnknown && !inUnknown {
		return
	}
	settled := map[string]bool{} // reason texts of the unknown findings now settled
	if outUnknown {
		switch {
		case f.Output.Processing:
			hc.addKey(Warn, "acoustic_unverified", "check.msg.acoustic_unverified_processing", f.Output.Description)
		case leak.Verdict == Pass:
			hc.add(Pass, "acoustic_headset", f.Output.Description)
			settled[f.Output.Reason] = true
		case leak.Verdict == Fail:
			hc.add(Fail, "acoustic_speakers")
		default:
			hc.add(Warn, "acoustic_unverified", f.Output.Description)
		}
	}
	if inUnknown {
		var mf *MicFigures
		if mic != nil {
			mf, _ = mic.Figures.(*MicFigures)
		}
		switch {
		case f.Input.Processing:
			hc.addKey(Warn, "mic_unverified", "check.msg.mic_unverified_processing", f.Input.Description)
		case mf == nil || mf.CloseTalk == nil:
			hc.add(Warn, "mic_unverified", f.Input.Description)
		case mf.Proximity == ProximityClose:
			hc.add(Pass, "acoustic_headset_mic", f.Input.Description)
			settled[f.Input.Reason] = true
		case mf.Proximity == ProximityDistant:
			hc.add(Fail, "acoustic_distant_mic", f.Input.Description)
		default:
			hc.addKey(Warn, "mic_unverified", "check.msg.mic_unverified_unclear", f.Input.Description)
		}
	}
	// The verdict is the worst finding, not counting the "unknown" warnings
	// of the sides now settled.
	v := Pass
	for _, fd := range hc.Findings {
		if fd.Code == "unknown" && settled[fd.Message] {
			continue
		}
		v = worse(v, fd.Verdict)
	}
	hc.Verdict = v
}
