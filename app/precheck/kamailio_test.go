package precheck

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kamailioCfg answers OPTIONS statelessly: all the network check needs.
const kamailioCfg = `#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:%d
loadmodule "sl.so"
request_route {
	if (method=="OPTIONS") {
		sl_send_reply("200", "OK");
		exit;
	}
	sl_send_reply("404", "Not here");
}
`

// freeUDPPort returns a port nobody listens on right now.
func freeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// startKamailio runs a real Kamailio on 127.0.0.1 and returns "127.0.0.1:port".
// It is stopped when the test ends. (internal/testenv.StartKamailio will
// replace this once it lands on main.)
func startKamailio(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("kamailio")
	if err != nil {
		bin = "/usr/sbin/kamailio"
	}
	_, err = os.Stat(bin)
	requireOrSkip(t, err == nil, "kamailio")
	dir := t.TempDir()
	port := freeUDPPort(t)
	cfg := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(kamailioCfg, port)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-f", cfg, "-DD", "-E", "-P", filepath.Join(dir, "pid"))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kamailio: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// Readiness: a raw OPTIONS every 100 ms until Kamailio answers (bounded).
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	local := conn.LocalAddr().String()
	dst, _ := net.ResolveUDPAddr("udp", addr)
	buf := make([]byte, 2048)
	for i := 0; i < 50; i++ {
		select {
		case err := <-exited:
			t.Fatalf("kamailio exited: %v\n%s", err, logs.String())
		default:
		}
		msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;rport;branch=z9hG4bKready%d\r\nFrom: <sip:ready@127.0.0.1>;tag=r%d\r\nTo: <sip:%s>\r\nCall-ID: ready-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", addr, local, i, i, addr, i)
		_, _ = conn.WriteTo([]byte(msg), dst)
		_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, _, err := conn.ReadFrom(buf); err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 200") {
			return addr
		}
	}
	t.Fatalf("kamailio did not answer on %s:\n%s", addr, logs.String())
	return ""
}
