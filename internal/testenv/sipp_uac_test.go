package testenv

import (
	"testing"
	"time"
)

// These tests run each UAC scenario against baresip, a real UA, so a failure
// against Homeshore points at Homeshore, not at the scenario.

const sippWait = 20 * time.Second

func sippAgainst(t *testing.T, b *Baresip, scenario string, args ...string) *SippRun {
	t.Helper()
	args = append([]string{"-s", "baresip"}, args...)
	return Sipp(t, scenario, append(args, b.ListenAddr())...)
}

func TestSippUACCancel(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipOptions{})
	s := sippAgainst(t, b, "uac_cancel.xml")
	waitEvent(t, b, EventCallIncoming)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, EventCallClosed)
}

func TestSippUAC488(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	if err := sippAgainst(t, b, "uac_488.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippUAC481(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	if err := sippAgainst(t, b, "uac_481.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippUACHold(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	if err := sippAgainst(t, b, "uac_hold.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, EventCallClosed)
}

func TestSippUACInfoDTMF(t *testing.T) {
	t.Parallel()
	b := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	if err := sippAgainst(t, b, "uac_info_dtmf.xml").WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, EventCallClosed)
	if got := b.ReceivedDTMF(); got != "5" {
		t.Errorf("baresip received DTMF %q; want %q", got, "5")
	}
}

func TestSippUACRefer(t *testing.T) {
	t.Parallel()
	carol := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	b := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	s := sippAgainst(t, b, "uac_refer.xml", "-key", "refer_to", carol.URI())
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, carol, EventCallEstablished)
}
