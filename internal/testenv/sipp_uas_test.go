package testenv

import (
	"strings"
	"testing"
	"time"
)

// These tests run each UAS scenario with baresip, a real UA, dialing sipp.

func sippUAS(t *testing.T, scenario string, args ...string) *SippRun {
	t.Helper()
	return Sipp(t, scenario, args...)
}

func dialSipp(t *testing.T, b *Baresip, s *SippRun) {
	t.Helper()
	command(t, b, "/dial sip:sipp@"+s.Addr())
}

func TestSippUASAnswer(t *testing.T) {
	t.Parallel()
	s := sippUAS(t, "uas_answer.xml")
	b := StartBaresip(t, BaresipOptions{Codecs: []string{"pcmu"}, PlayDuration: time.Second})
	dialSipp(t, b, s)
	waitEvent(t, b, EventCallEstablished)
	waitEvent(t, b, EventCallClosed) // aufile ended: baresip hangs up
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippUASAnswerBye(t *testing.T) {
	t.Parallel()
	s := sippUAS(t, "uas_answer_bye.xml", "-d", "500")
	b := StartBaresip(t, BaresipOptions{Codecs: []string{"pcmu"}})
	dialSipp(t, b, s)
	waitEvent(t, b, EventCallEstablished)
	waitEvent(t, b, EventCallClosed)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippUASHold(t *testing.T) {
	t.Parallel()
	s := sippUAS(t, "uas_hold.xml")
	b := StartBaresip(t, BaresipOptions{Codecs: []string{"pcmu"}})
	dialSipp(t, b, s)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, EventCallClosed)
}

func TestSippUASRefer(t *testing.T) {
	t.Parallel()
	carol := StartBaresip(t, BaresipOptions{AutoAnswer: true})
	s := sippUAS(t, "uas_refer.xml", "-key", "refer_to", carol.URI())
	b := StartBaresip(t, BaresipOptions{Codecs: []string{"pcmu"}})
	dialSipp(t, b, s)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, carol, EventCallEstablished)
}

func TestSippUASEarlyMedia(t *testing.T) {
	t.Parallel()
	s := sippUAS(t, "uas_early_media.xml")
	b := StartBaresip(t, BaresipOptions{Codecs: []string{"pcmu"}, PlayDuration: 2 * time.Second})
	dialSipp(t, b, s)
	waitEvent(t, b, EventCallProgress)
	waitEvent(t, b, EventCallEstablished)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippUASBusy(t *testing.T) {
	t.Parallel()
	s := sippUAS(t, "uas_busy.xml")
	b := StartBaresip(t, BaresipOptions{})
	dialSipp(t, b, s)
	closed := waitEvent(t, b, EventCallClosed)
	if !strings.Contains(closed.Param, "486") {
		t.Errorf("baresip closed the call with %q; want the 486", closed.Param)
	}
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}

func TestSippUAS401(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, password string
		wantOK         bool
	}{{"right password", "s3cret", true}, {"wrong password", "nope", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := sippUAS(t, "uas_401.xml", "-key", "auth_user", "alice", "-key", "auth_password", "s3cret")
			b := StartBaresip(t, BaresipOptions{
				AOR: "sip:alice@" + s.Addr(), Password: tc.password, NoRegister: true,
				Codecs: []string{"pcmu"}, PlayDuration: time.Second,
			})
			dialSipp(t, b, s)
			waitEvent(t, b, EventCallClosed)
			err := s.WaitTimeout(sippWait)
			if tc.wantOK && err != nil {
				t.Fatal(err)
			}
			if !tc.wantOK && err == nil {
				t.Fatal("uas_401 accepted a wrong password")
			}
		})
	}
}

func TestSippUAS407(t *testing.T) {
	t.Parallel()
	s := sippUAS(t, "uas_407.xml")
	b := StartBaresip(t, BaresipOptions{
		AOR: "sip:alice@" + s.Addr(), Password: "s3cret", NoRegister: true,
		Codecs: []string{"pcmu"}, PlayDuration: time.Second,
	})
	dialSipp(t, b, s)
	waitEvent(t, b, EventCallEstablished)
	waitEvent(t, b, EventCallClosed)
	if err := s.WaitTimeout(sippWait); err != nil {
		t.Fatal(err)
	}
}
