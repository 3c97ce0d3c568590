package testenv

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// The test Kamailio's SIP domain and digest realm. Users register as
// sip:USER@127.0.0.1 (with or without the port); "homeshore.test" is also
// accepted as the domain and is the realm of every 401/407 challenge.
const (
	KamailioDomain = "127.0.0.1"
	KamailioRealm  = "homeshore.test"
)

// kamailioModuleDir is where Debian installs Kamailio's modules.
const kamailioModuleDir = "/usr/lib/x86_64-linux-gnu/kamailio/modules"

// startTimeout bounds how long a peer may take to answer on its port.
const startTimeout = 10 * time.Second

// Kamailio is a running test registrar/proxy on 127.0.0.1.
type Kamailio struct {
	Host    string // always 127.0.0.1
	Port    int    // UDP and TCP
	TLSPort int    // 0 when kamailio-tls-modules is not installed
	Domain  string // SIP domain, KamailioDomain
	Realm   string // digest realm, KamailioRealm
	CAFile  string // PEM of the CA that signed the TLS certificate; "" without TLS
	LogFile string

	proc *process
	// restart starts Kamailio again with the same configuration and ports.
	restart func() *process
}

// Addr returns "127.0.0.1:PORT" (UDP and TCP).
func (k *Kamailio) Addr() string { return net.JoinHostPort(k.Host, strconv.Itoa(k.Port)) }

// TLSAddr returns "127.0.0.1:TLSPORT".
func (k *Kamailio) TLSAddr() string { return net.JoinHostPort(k.Host, strconv.Itoa(k.TLSPort)) }

// AOR returns the address of record of user, e.g. "sip:alice@127.0.0.1:PORT"
// (registers and is called over UDP or TCP; add ";transport=tcp" to force
// TCP, or use "sip:alice@"+k.TLSAddr()+";transport=tls" for TLS).
func (k *Kamailio) AOR(user string) string { return "sip:" + user + "@" + k.Addr() }

// RequireTLS skips (or fails under CI) a test that needs Kamailio's TLS port.
func (k *Kamailio) RequireTLS(t testing.TB) {
	t.Helper()
	Require(t, k.TLSPort != 0, "Kamailio TLS (package kamailio-tls-modules)")
}

// TLSConfig returns a client tls.Config trusting only the test CA.
func (k *Kamailio) TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	k.RequireTLS(t)
	pem, err := os.ReadFile(k.CAFile)
	if err != nil {
		t.Fatalf("testenv: read CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("testenv: no certificate in %s", k.CAFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: k.Host, MinVersion: tls.VersionTLS12}
}

type kamailioUser struct{ Name, Password string }

type kamailioConfig struct {
	Port, TLSPort int
	TLS           bool
	TLSConfig     string
	Realm         string
	Users         []kamailioUser
	Presence      bool   // presence server (StartKamailioPresence)
	DBDir         string // db_text tables of the presence server
}

// safeCfgValue keeps user names and passwords inside a quoted cfg string.
var safeCfgValue = regexp.MustCompile(`^[A-Za-z0-9._~!*+=,;:@%&-]+$`)

// StartKamailio starts Kamailio as registrar and proxy with the given
// users (name -> password) and waits until it answers OPTIONS. The
// configuration is ours (testdata/kamailio/kamailio.cfg.tmpl, documented
// there). TLS listens on TLSPort when kamailio-tls-modules is installed.
func StartKamailio(t testing.TB, users map[string]string) *Kamailio {
	t.Helper()
	return startKamailio(t, users, false)
}

func startKamailio(t testing.TB, users map[string]string, presence bool) *Kamailio {
	t.Helper()
	bin := RequireBinary(t, "kamailio")
	dir := t.TempDir()
	cfg := kamailioConfig{Realm: KamailioRealm}
	if presence {
		cfg.Presence, cfg.DBDir = true, presenceTables(t, dir)
	}
	for _, name := range slices.Sorted(maps.Keys(users)) {
		pw := users[name]
		if !safeCfgValue.MatchString(name) || !safeCfgValue.MatchString(pw) {
			t.Fatalf("testenv: Kamailio user %q or its password has characters the test config cannot quote", name)
		}
		cfg.Users = append(cfg.Users, kamailioUser{name, pw})
	}
	_, err := os.Stat(filepath.Join(kamailioModuleDir, "tls.so"))
	cfg.TLS = err == nil
	k := &Kamailio{Host: "127.0.0.1", Domain: KamailioDomain, Realm: KamailioRealm, LogFile: filepath.Join(dir, "kamailio.log")}
	if cfg.TLS {
		files := GenerateTLS(t, dir, KamailioRealm)
		k.CAFile = files.CAFile
		cfg.TLSConfig = filepath.Join(dir, "tls.cfg")
		renderTemplate(t, "testdata/kamailio/tls.cfg.tmpl", cfg.TLSConfig, files)
	}
	cfgPath := filepath.Join(dir, "kamailio.cfg")
	// A port picked free may be taken by a parallel test before Kamailio
	// binds it; try a few times with fresh ports.
	const attempts = 3
	for attempt := 1; ; attempt++ {
		cfg.Port = FreeUDPTCPPort(t)
		if cfg.TLS {
			cfg.TLSPort = FreeTCPPort(t)
		}
		renderTemplate(t, "testdata/kamailio/kamailio.cfg.tmpl", cfgPath, cfg)
		run := func() *process {
			cmd := exec.Command(bin, "-f", cfgPath, "-DD", "-E", "-m", "32", "-M", "4",
				"-Y", dir, "-L", kamailioModuleDir)
			return startProcess(t, "kamailio", k.LogFile, cmd)
		}
		proc := run()
		err := waitKamailio(proc, cfg.Port)
		if err == nil {
			k.Port, k.TLSPort, k.proc = cfg.Port, cfg.TLSPort, proc
			k.restart = run
			break
		}
		proc.stop()
		if attempt == attempts {
			t.Fatalf("testenv: Kamailio did not start: %v\nlog %s:\n%s", err, k.LogFile, proc.tail(logTailLines))
		}
		t.Logf("testenv: Kamailio start attempt %d failed (%v), retrying on other ports", attempt, err)
	}
	if cfg.TLS {
		if err := k.checkTLS(); err != nil {
			t.Fatalf("testenv: Kamailio TLS port %d: %v\nlog:\n%s", k.TLSPort, err, k.proc.tail(logTailLines))
		}
	}
	return k
}

// waitKamailio waits until Kamailio answers OPTIONS on port.
func waitKamailio(proc *process, port int) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	return sipOptionsPing(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), func() bool { return !proc.exited() })
}

// Restart stops Kamailio and starts it again on the same ports, as a
// server restart does: its registrations (kept in memory) and its TCP/TLS
// connections are gone. It returns once Kamailio answers again.
func (k *Kamailio) Restart(t testing.TB) {
	t.Helper()
	k.Stop(t)
	k.Start(t)
}

// Stop stops Kamailio, as a server that is down (crashed, not started yet,
// out of the agent's reach): its ports stay in k, and Start brings it back
// on them with the same users and no registrations.
func (k *Kamailio) Stop(t testing.TB) {
	t.Helper()
	k.proc.stop()
}

// Start starts a stopped Kamailio again on its ports and returns once it
// answers.
func (k *Kamailio) Start(t testing.TB) {
	t.Helper()
	if !k.proc.exited() {
		t.Fatalf("testenv: Kamailio is already running")
	}
	k.proc = k.restart()
	if err := waitKamailio(k.proc, k.Port); err != nil {
		t.Fatalf("testenv: Kamailio did not start again: %v\nlog %s:\n%s", err, k.LogFile, k.proc.tail(logTailLines))
	}
}

// checkTLS makes one TLS handshake against the test CA.
func (k *Kamailio) checkTLS() error {
	pem, err := os.ReadFile(k.CAFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	d := &net.Dialer{Timeout: startTimeout}
	conn, err := tls.DialWithDialer(d, "tcp", k.TLSAddr(), &tls.Config{RootCAs: pool, ServerName: k.Host})
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	return conn.Close()
}

// Log returns the Kamailio log so far.
func (k *Kamailio) Log() string { return tailFile(k.LogFile, 1<<30) }
