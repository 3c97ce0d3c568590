package testenv

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKamailioStarts(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, map[string]string{"alice": "alice-pw", "bob": "bob-pw"})
	if k.Port == 0 || k.TLSPort == 0 || k.CAFile == "" {
		t.Errorf("Kamailio = %+v; want UDP/TCP port, TLS port and CA file", k)
	}
}

func TestKamailioRegisterDigest(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, map[string]string{"alice": "alice-pw"})
	for _, tc := range []struct {
		name, scenario, transport, user, password string
	}{
		{"udp", "register.xml", "u1", "alice", "alice-pw"},
		{"tcp", "register.xml", "t1", "alice", "alice-pw"},
		{"wrong password", "register_forbidden.xml", "u1", "alice", "nope"},
		{"unknown user", "register_forbidden.xml", "u1", "mallory", "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Sipp(t, tc.scenario, "-t", tc.transport, "-s", tc.user, "-au", tc.user, "-ap", tc.password, k.Addr())
			if err := s.WaitTimeout(10 * time.Second); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSippWaitReportsScenarioFailure(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, map[string]string{"alice": "alice-pw"})
	s := Sipp(t, "register.xml", "-s", "alice", "-au", "alice", "-ap", "wrong", k.Addr())
	err := s.WaitTimeout(10 * time.Second)
	if !errors.Is(err, ErrSipp) {
		t.Fatalf("register with a wrong password: Wait() = %v; want ErrSipp", err)
	}
	if !strings.Contains(err.Error(), "403") {
		t.Errorf("error does not show the unexpected 403:\n%v", err)
	}
}
