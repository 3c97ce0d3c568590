package testenv

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestNetstringRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	msgs := []string{`{"command":"dial","params":"sip:x@127.0.0.1","token":"1"}`, "", "a,b:c"}
	for _, m := range msgs {
		if err := writeNetstring(&buf, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	r := bufio.NewReader(&buf)
	for _, want := range msgs {
		got, err := readNetstring(r)
		if err != nil || string(got) != want {
			t.Fatalf("readNetstring = %q, %v; want %q", got, err, want)
		}
	}
}

func TestDecodeCtrlEventAndResponse(t *testing.T) {
	ev, err := decodeCtrl([]byte(`{"event":true,"type":"CALL_DTMF_START","class":"call","accountaor":"sip:a@127.0.0.1","direction":"incoming","peeruri":"sip:b@127.0.0.1","id":"x","param":"5"}`))
	if err != nil || !ev.IsEvent || ev.Type != EventDTMFStart || ev.Param != "5" {
		t.Errorf("event decoded as %+v, %v", ev, err)
	}
	resp, err := decodeCtrl([]byte(`{"response":true,"ok":false,"data":"no call","token":"7"}`))
	if err != nil || !resp.IsResponse || resp.OK || resp.Token != "7" || resp.Data != "no call" {
		t.Errorf("response decoded as %+v, %v", resp, err)
	}
}

func TestSplitCommand(t *testing.T) {
	for in, want := range map[string][2]string{
		"/dial sip:bob@127.0.0.1:5060": {"dial", "sip:bob@127.0.0.1:5060"},
		"/hangup":                      {"hangup", ""},
		"sndcode 123#":                 {"sndcode", "123#"},
		" /uanew <sip:a@b>;regint=0 ":  {"uanew", "<sip:a@b>;regint=0"},
	} {
		name, params := splitCommand(in)
		if name != want[0] || params != want[1] {
			t.Errorf("splitCommand(%q) = %q, %q; want %q, %q", in, name, params, want[0], want[1])
		}
	}
}

func TestCleanBaresipLogDropsStatusTicker(t *testing.T) {
	in := "call: connecting\n[0:00:01] audio=0/0 (bit/s)    [0:00:02] audio=51573/99200 (bit/s)    \x1b[31maufile: end of file\n\x1b[;m"
	got := cleanBaresipLog(in)
	if strings.Contains(got, "bit/s") || strings.Contains(got, "\x1b") || !strings.Contains(got, "aufile: end of file") {
		t.Errorf("cleanBaresipLog = %q", got)
	}
}

func FuzzReadNetstring(f *testing.F) {
	f.Add([]byte("5:hello,"))
	f.Add([]byte("0:,"))
	f.Add([]byte("99999999999:x,"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for range 10 {
			msg, err := readNetstring(r)
			if err != nil {
				return
			}
			if len(msg) > maxNetstring {
				t.Fatalf("message of %d bytes exceeds the limit", len(msg))
			}
		}
	})
}
