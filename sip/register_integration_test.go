package sip_test

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/homeshore/homeshore/internal/testenv"
	"github.com/homeshore/homeshore/sip"
)

func TestRegisterWithDigestAgainstKamailio(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "s3cret"})
	for _, transport := range []string{sip.TransportUDP, sip.TransportTCP} {
		t.Run(transport, func(t *testing.T) {
			ua := newUA(t, sip.Config{Registrar: k.Addr(), User: "alice", Password: "s3cret", Transport: transport})
			if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatalf("register: %v", err)
			}
			ev := <-ua.Events()
			if reg, ok := ev.(sip.Registered); !ok || reg.Expires <= 0 {
				t.Fatalf("first event %#v, want Registered with a lifetime", ev)
			}
			if err := ua.Ping(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatalf("OPTIONS keepalive: %v", err)
			}
			if err := ua.Unregister(ctxFor(t, 5*time.Second)); err != nil {
				t.Fatalf("unregister: %v", err)
			}
		})
	}
}

func TestRegisterOverTLSVerifiesTheServer(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "s3cret"})
	k.RequireTLS(t)
	ua := newUA(t, sip.Config{Registrar: k.TLSAddr(), User: "alice", Password: "s3cret", Transport: sip.TransportTLS, CAFile: k.CAFile})
	if err := ua.Register(ctxFor(t, 5*time.Second)); err != nil {
		t.Fatalf("register over TLS with the CA: %v", err)
	}
	untrusting := newUA(t, sip.Config{Registrar: k.TLSAddr(), User: "alice", Password: "s3cret", Transport: sip.TransportTLS})
	err := untrusting.Register(ctxFor(t, 5*time.Second))
	if err == nil {
		t.Fatal("registered over TLS to a server signed by an unknown CA")
	}
	var unknownCA x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	if !errors.As(err, &unknownCA) && !errors.As(err, &verify) {
		t.Fatalf("error does not carry the certificate failure: %v", err)
	}
}

func TestRegisterWrongPasswordSaysSo(t *testing.T) {
	t.Parallel()
	k := testenv.StartKamailio(t, map[string]string{"alice": "s3cret"})
	ua := newUA(t, sip.Config{Registrar: k.Addr(), User: "alice", Password: "wrong"})
	err := ua.Register(ctxFor(t, 5*time.Second))
	if !errors.Is(err, sip.ErrAuthFailed) {
		t.Fatalf("err = %v, want ErrAuthFailed", err)
	}
	if !strings.Contains(err.Error(), "check the") {
		t.Fatalf("error does not tell the agent what to do: %v", err)
	}
}

func TestRegisterUnreachableRegistrarFailsInBoundedTime(t *testing.T) {
	t.Parallel()
	// A UDP socket that never answers stands in for a dead server.
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	ua := newUA(t, sip.Config{Registrar: silent.LocalAddr().String(), User: "alice", Password: "x", RequestTimeout: time.Second})
	start := time.Now()
	err = ua.Register(ctxFor(t, 10*time.Second))
	if !errors.Is(err, sip.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("took %s to give up", took)
	}
}

func TestUnresolvableRegistrarIsOneSentence(t *testing.T) {
	t.Parallel()
	_, err := sip.New(sip.Config{Registrar: "pbx.invalid", User: "alice"})
	var dns *net.DNSError
	if !errors.As(err, &dns) || !dns.IsNotFound {
		t.Fatalf("err = %v, want the DNS failure", err)
	}
}
