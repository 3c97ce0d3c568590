package shift

import (
	"errors"
	"fmt"
)

// Sentinels callers branch on (errors.Is).
var (
	// ErrChecksFailed: clock-in without a passing check and without an override.
	ErrChecksFailed = errors.New("the pre-shift check did not pass: fix what it reports and run it again")
	// ErrOverrideNotAllowed: IT policy does not allow overriding a failed check.
	ErrOverrideNotAllowed = errors.New("your IT policy does not allow starting a shift after a failed check")
	// ErrOverrideReasonRequired: an override needs a typed reason.
	ErrOverrideReasonRequired = errors.New("type a reason to start the shift despite the failed check")
	// ErrNotClockedIn: the action needs an open shift.
	ErrNotClockedIn = errors.New("no shift is open: start your shift first")
	// ErrAlreadyClockedIn: clock-in while a shift is open.
	ErrAlreadyClockedIn = errors.New("the shift is already started")
	// ErrRecheckRequired: the agent lost a checked device; only a new check makes them available.
	ErrRecheckRequired = errors.New("run the equipment check again before going available")
	// ErrNoReport: clock-in or recheck without a check report.
	ErrNoReport = errors.New("no pre-shift check report: run the check first")
)

// TransitionError says an action is not possible in the current state.
type TransitionError struct {
	From   State
	Action string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot %s while %s", e.Action, e.From)
}
