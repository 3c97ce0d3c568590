package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"time"
)

// probeInterval is how long one OPTIONS probe waits for an answer before it
// is sent again while a server starts.
const probeInterval = 100 * time.Millisecond

// sipOptionsPing sends OPTIONS over UDP to addr until any SIP response comes
// back or ctx ends. Any response proves the server parses SIP on that port.
func sipOptionsPing(ctx context.Context, addr string, stillRunning func() bool) error {
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("probe socket: %w", err)
	}
	defer conn.Close()
	raddr, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return fmt.Errorf("probe address %q: %w", addr, err)
	}
	local := conn.LocalAddr().String()
	callID := randomToken()
	buf := make([]byte, 4096)
	for cseq := 1; ; cseq++ {
		if !stillRunning() {
			return fmt.Errorf("process exited before %s answered", addr)
		}
		msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\n"+
			"Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n"+
			"Max-Forwards: 70\r\n"+
			"From: <sip:probe@%s>;tag=%s\r\n"+
			"To: <sip:%s>\r\n"+
			"Call-ID: %s\r\n"+
			"CSeq: %d OPTIONS\r\n"+
			"Content-Length: 0\r\n\r\n",
			addr, local, randomToken(), local, randomToken(), addr, callID, cseq)
		if _, err := conn.WriteTo([]byte(msg), raddr); err != nil {
			return fmt.Errorf("probe send: %w", err)
		}
		deadline := time.Now().Add(probeInterval)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		conn.SetReadDeadline(deadline)
		n, _, err := conn.ReadFrom(buf)
		if err == nil && bytes.HasPrefix(buf[:n], []byte("SIP/2.0 ")) {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("no answer to OPTIONS from %s: %w", addr, ctx.Err())
		}
	}
}

func randomToken() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
