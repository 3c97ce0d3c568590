// Package precheck runs the pre-shift equipment check that gates the shift:
// headset (device metadata + acoustic leak test), speaker, microphone, quiet
// room and network to the SIP server, each judged against the IT policy.
//
// Entry points for the CLI (app/cli wires them):
//
//	precheck.RunCLI(ctx, args, stdout, stderr) int      // homeshore check [--json]
//	precheck.DevicesCLI(ctx, args, stdout, stderr) int  // homeshore devices [--json]
//
// and for the GUI and the shift:
//
//	precheck.Run(ctx, precheck.Options{...}) (Report, error)
//	precheck.ListDevices(ctx, policy) ([]DeviceVerdict, error)
//	precheck.Guard(ctx, machine, GuardOptions{...}) (stop func() error, err error)
//
// Report is JSON-stable (docs/precheck.md) and implements shift.CheckReport.
// Audio goes through the Audio seam; the default backend, DeviceAudio, is
// media/audiodev, the device layer calls use, which opens devices by the
// same ids the headset verdict and the pin use. Only figures are kept,
// never audio.
package precheck
