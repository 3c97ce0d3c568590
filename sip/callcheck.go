package sip

import (
	"context"
	"errors"
	"fmt"

	"github.com/emiago/sipgo/sip"
)

// ErrCallLost means a call ended because the network failed under it:
// after an outage the far end no longer knew the call (it hung up or gave
// up while we could not hear it), or our requests can no longer leave
// (the computer's address changed under the call).
var ErrCallLost = errors.New("the call was lost when the network failed")

// checkCalls asks every answered call, once the network is back, changed
// or the computer woke up, whether the far end still has it: an in-dialog
// OPTIONS (RFC 3261 §11). A 481 means the far end ended the call while
// we could not hear its BYE; a request that cannot even leave means our
// socket's address is gone (a send error after an address change).
// Either way the call ends with ErrCallLost instead of staying up in
// silence. Any other answer, or none yet (the network may still be
// coming back), keeps the call.
func (u *UA) checkCalls(why error) {
	for _, c := range u.liveCalls() {
		if c.ringingIn() || c.AnsweredAt().IsZero() {
			continue
		}
		u.group.Go(func() { c.checkAlive(u.ctx, why) })
	}
}

// checkAlive is checkCalls for one call.
func (c *Call) checkAlive(ctx context.Context, why error) {
	req := sip.NewRequest(sip.OPTIONS, c.remoteTarget())
	req.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	res, err := c.doInDialog(ctx, req)
	switch {
	case c.isDone() || ctx.Err() != nil:
		return
	case err == nil && res.StatusCode == sip.StatusCallTransactionDoesNotExists:
		c.log.Warn("the far end ended the call while the network was down", "call_id", c.CallID(), "network", why)
		c.finish(EndedByRemote, fmt.Errorf("%w: the other side ended it while your network was down (%v)", ErrCallLost, why))
	case err == nil:
		c.log.Info("the call survived the network change", "call_id", c.CallID(), "status", res.StatusCode)
	case errors.Is(err, ErrTimeout) || !addressGone(why):
		// The network may still be settling: the call stays, the line
		// status tells the agent what is going on.
		c.log.Warn("the far end does not answer after the network change; keeping the call", "call_id", c.CallID(), "error", err)
	default:
		c.log.Warn("the call can no longer reach the far end", "call_id", c.CallID(), "error", err)
		c.finish(EndedByLocal, fmt.Errorf("%w: your network address changed and it cannot reach the other side any more: call them back", ErrCallLost))
	}
}

// addressGone reports a change of our address toward the server: the
// socket the call uses may be bound to an address the computer lost.
func addressGone(why error) bool {
	var change *NetworkChangeError
	return errors.As(why, &change) && change.Change == AddressChanged
}
