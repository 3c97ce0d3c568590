package headset

import "errors"

// Sentinels callers branch on (errors.Is).
var (
	// ErrBadDescriptor: the report descriptor cannot be read.
	ErrBadDescriptor = errors.New("the headset's HID report descriptor is malformed")
	// ErrNoTelephony: the device has no telephony (call control) collection.
	ErrNoTelephony = errors.New("the device has no call buttons (no HID telephony collection)")
	// ErrNoHeadset: no headset with call buttons is connected or readable.
	ErrNoHeadset = errors.New("no headset with call buttons was found")
	// ErrUnsupported: this system has no HID access for headsets here.
	ErrUnsupported = errors.New("headset buttons are not supported on this system")
)
