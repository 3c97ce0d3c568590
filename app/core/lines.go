package core

import (
	"context"
	"errors"

	"github.com/homeshore/homeshore/app/ui"
)

// The multi-call desk (ui.Lines) the GUI drives for call waiting, attended
// transfer, the local conference and monitoring:
//
//	lines := core.Backend().Lines
//	lines.Lines()                          // every call with its ui.LineState
//	lines.Consult(ctx, callerID, "2002")   // caller on hold, consultation dialled
//	lines.Swap(ctx, callerID)              // back to the caller (consultation held)
//	lines.CompleteTransfer(ctx, consultID) // REFER with Replaces; both calls leave
//	lines.CancelConsult(ctx, consultID)    // hang up the consultation, resume the caller
//	lines.Merge(ctx, callerID, consultID)  // 3-way conference mixed here
//
// Events on Backend().Events: ui.LinesChanged after each change,
// ui.CallWaiting for a second ringing call, ui.TransferUpdated,
// ui.MonitorChanged for the supervisor banner. The Phone methods work on
// every line (Answer holds the other calls, Hangup drops one leg).

// errNotYet marks a part of the desk that is not built yet.
var errNotYet = errors.New("not available in this version yet")

// lines is ui.Lines over the phone.
type lines struct{ p *phone }

func (l lines) Lines() []ui.Line { return nil }

func (l lines) Swap(context.Context, string) error { return errNotYet }

func (l lines) Consult(context.Context, string, string) (ui.CallInfo, error) {
	return ui.CallInfo{}, errNotYet
}

func (l lines) CompleteTransfer(context.Context, string) error { return errNotYet }

func (l lines) CancelConsult(context.Context, string) error { return errNotYet }

func (l lines) Merge(context.Context, ...string) error { return errNotYet }
