package testenv

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Event is one baresip ctrl_tcp event, e.g. Type "CALL_ESTABLISHED".
type Event struct {
	Type       string `json:"type"`
	Class      string `json:"class"`
	AccountAOR string `json:"accountaor"`
	Direction  string `json:"direction"`
	PeerURI    string `json:"peeruri"`
	PeerName   string `json:"peerdisplayname"`
	ID         string `json:"id"`
	Param      string `json:"param"`
}

// Baresip ctrl_tcp event types the tests use.
const (
	EventRegisterOK      = "REGISTER_OK"
	EventRegisterFail    = "REGISTER_FAIL"
	EventCallIncoming    = "CALL_INCOMING"
	EventCallRinging     = "CALL_RINGING"
	EventCallProgress    = "CALL_PROGRESS"
	EventCallEstablished = "CALL_ESTABLISHED"
	EventCallClosed      = "CALL_CLOSED"
	EventCallTransfer    = "CALL_TRANSFER"
	EventDTMFStart       = "CALL_DTMF_START"
	EventDTMFEnd         = "CALL_DTMF_END"
	EventCallRemoteSDP   = "CALL_REMOTE_SDP"
)

// ctrlMessage is either an event or a response to a command.
type ctrlMessage struct {
	Event
	IsEvent    bool   `json:"event"`
	IsResponse bool   `json:"response"`
	OK         bool   `json:"ok"`
	Data       string `json:"data"`
	Token      string `json:"token"`
}

type ctrlCommand struct {
	Command string `json:"command"`
	Params  string `json:"params,omitempty"`
	Token   string `json:"token"`
}

// splitCommand turns "/dial sip:x" (the menu syntax) into ("dial", "sip:x").
func splitCommand(cmd string) (name, params string) {
	cmd = strings.TrimPrefix(strings.TrimSpace(cmd), "/")
	name, params, _ = strings.Cut(cmd, " ")
	return name, strings.TrimSpace(params)
}

// writeNetstring writes "LEN:DATA,".
func writeNetstring(w io.Writer, data []byte) error {
	_, err := fmt.Fprintf(w, "%d:%s,", len(data), data)
	return err
}

// maxNetstring bounds one ctrl_tcp message; baresip's are a few KB.
const maxNetstring = 1 << 20

// readNetstring reads one "LEN:DATA," message.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(head[:len(head)-1])
	if err != nil || n < 0 || n > maxNetstring {
		return nil, fmt.Errorf("bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("netstring without trailing comma")
	}
	return buf[:n], nil
}

func decodeCtrl(data []byte) (ctrlMessage, error) {
	var m ctrlMessage
	err := json.Unmarshal(data, &m)
	return m, err
}
