package sip_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

// TestCallCheckedAfterOutage: the agent's network drops during a call and
// comes back. The call is not dropped for the outage itself; once the
// network is back the UA asks the far end (sipp) whether it still has the
// call. If it had hung up meanwhile (481: its BYE was lost), the call
// ends saying so, instead of staying up in silence; if it is still there,
// the call carries on until the far end hangs up normally.
func TestCallCheckedAfterOutage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		code   string
		reason string
	}{
		{"far end hung up meanwhile", "481", "Call/Transaction Does Not Exist"},
		{"far end still there", "200", "OK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k := testenv.StartKamailio(t, map[string]string{"alice": "apw"})
			s := testenv.Sipp(t, testenv.SippScenario(t, "uas_after_outage.xml", map[string]string{"code": tc.code, "reason": tc.reason}))
			clock := sip.NewFakeClock()
			network := &fakeNetwork{}
			network.set("127.0.0.1", false)
			const check = 2 * time.Second
			ua := newUA(t, sip.Config{Registrar: k.Addr(), User: "alice", Password: "apw", Clock: clock, KeepAlive: -1, NetworkCheck: check},
				sip.WithLocalAddrFunc(network.localAddr))
			register(t, ua)
			c := dialAnswered(t, ua, "sip:sipp@"+s.Addr())

			network.set("127.0.0.1", true)
			clock.Advance(check)
			if lost := waitUAEvent[sip.Reconnecting](t, ua, 10*time.Second); !errors.Is(lost.Err, sip.ErrNetworkChanged) {
				t.Fatalf("reconnecting %v", lost.Err)
			}
			select {
			case <-c.Done():
				t.Fatalf("the call ended with the outage: %+v", c.End())
			default:
			}
			network.set("127.0.0.1", false)
			clock.Advance(check)
			waitUAEvent[sip.Registered](t, ua, 10*time.Second)
			end := waitDone(t, c, 15*time.Second)
			if tc.code == "481" {
				if !errors.Is(end.Err, sip.ErrCallLost) || end.By != sip.EndedByRemote || !strings.Contains(end.Err.Error(), "network was down") {
					t.Fatalf("end %+v: want the call lost, ended by the far end while the network was down", end)
				}
			} else if end.Err != nil || end.By != sip.EndedByRemote {
				t.Fatalf("end %+v: want the call kept until sipp's BYE", end)
			}
			if err := s.WaitTimeout(sippWait); err != nil {
				t.Fatal(err)
			}
		})
	}
}
