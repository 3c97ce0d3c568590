package sip

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestNormalizeLWS(t *testing.T) {
	for in, want := range map[string]string{
		"SIP/2.0/UDP h:5060;branch=z9hG4bKx":                             "SIP/2.0/UDP h:5060;branch=z9hG4bKx",
		"SIP  /   2.0 /UDP    192.0.2.2 ; branch = x ; rport":            "SIP/2.0/UDP 192.0.2.2;branch=x;rport",
		"SIP / 2.0 / UDP h : 5060":                                       "SIP/2.0/UDP h:5060",
		`"J Rosenberg \\\""       <sip:j@example.com>  ;  tag = 98asjd8`: `"J Rosenberg \\\"" <sip:j@example.com>;tag=98asjd8`,
		`"a ; b = c" <sip:x@y> ; tag = 1`:                                `"a ; b = c" <sip:x@y>;tag=1`,
		"Bob   Smith <sip:b@h>":                                          "Bob Smith <sip:b@h>",
		"sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n":     "sip:vivekg@chair-dnrc.example.com;tag=1918181833n",
		"<sip:a@b> ; q = 0.3 ,  <sip:c@d> ; expires = 4":                 "<sip:a@b>;q=0.3,<sip:c@d>;expires=4",
		`"unterminated <sip:a@b> ; tag = 1`:                              `"unterminated <sip:a@b> ; tag = 1`,
	} {
		got := normalizeLWS(in)
		if len(got) != len(in) {
			t.Errorf("normalizeLWS(%q) = %q: length changed", in, got)
		}
		if squeeze(got) != want {
			t.Errorf("normalizeLWS(%q) = %q, want %q (padded)", in, got, want)
		}
	}
}

// squeeze drops the front padding of each element, for comparing.
func squeeze(s string) string {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimLeft(p, " ")
	}
	return strings.Join(parts, ",")
}

// TestParserReadsSpacedHeaders: what sipgo alone gets wrong (see wsnorm.go).
func TestParserReadsSpacedHeaders(t *testing.T) {
	msg := "OPTIONS sip:u@h SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5000 ; branch = z9hG4bKabc ; rport\r\n" +
		"v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\n" +
		"From: <sip:a@b> ; tag = x1\r\nTo: <sip:u@h>\r\nCall-ID: c\r\nCSeq: 1 \t   OPTIONS\r\nContent-Length: 0\r\n\r\n"
	m, err := newParser().ParseSIP([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	req := m.(*sip.Request)
	vias := req.GetHeaders("Via")
	want := []struct{ host, transport, branch string }{
		{"127.0.0.1", "UDP", "z9hG4bKabc"}, {"spindle.example.com", "TCP", "z9hG4bK9ikj8"}, {"192.168.255.111", "UDP", "z9hG4bK30239"},
	}
	if len(vias) != len(want) {
		t.Fatalf("%d Via headers, want %d", len(vias), len(want))
	}
	for i, h := range vias {
		v := h.(*sip.ViaHeader)
		if b, _ := v.Params.Get("branch"); v.Host != want[i].host || v.Transport != want[i].transport || b != want[i].branch {
			t.Errorf("Via %d: host %q transport %q branch %q, want %+v", i, v.Host, v.Transport, b, want[i])
		}
	}
	if v := req.Via(); v.Port != 5000 || !v.Params.Has("rport") {
		t.Errorf("top Via %q", v.Value())
	}
	if tag, _ := req.From().Params.Get("tag"); tag != "x1" {
		t.Errorf("From tag %q", tag)
	}
	if c := req.CSeq(); c.SeqNo != 1 || c.MethodName != sip.OPTIONS {
		t.Errorf("CSeq %q", c.Value())
	}
}

func FuzzNormalizeLWS(f *testing.F) {
	for _, s := range []string{"SIP / 2.0 / UDP h ; branch = x , SIP/2.0/TCP h2", `"a\"b ; c" <sip:x;lr> ; tag = 1`, "a,,b", `"`, "<", `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := normalizeLWS(in)
		if len(out) != len(in) {
			t.Fatalf("length %d -> %d: %q -> %q", len(in), len(out), in, out)
		}
		if again := normalizeLWS(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
		blankless := strings.NewReplacer(" ", "", "\t", "")
		if blankless.Replace(in) != blankless.Replace(out) {
			t.Fatalf("changed more than blanks: %q -> %q", in, out)
		}
		for i := range in {
			if (in[i] == ',') != (out[i] == ',') && !strings.ContainsAny(in, `"<`) {
				t.Fatalf("comma moved at %d: %q -> %q", i, in, out)
			}
		}
	})
}
