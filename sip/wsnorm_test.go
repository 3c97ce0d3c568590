package sip

import (
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
)

func TestCompactElements(t *testing.T) {
	for in, want := range map[string][]string{
		"SIP/2.0/UDP h:5060;branch=z9hG4bKx":                             {"SIP/2.0/UDP h:5060;branch=z9hG4bKx"},
		"SIP  /   2.0 /UDP    192.0.2.2 ; branch = x ; rport":            {"SIP/2.0/UDP 192.0.2.2;branch=x;rport"},
		"SIP / 2.0 / UDP h : 5060":                                       {"SIP/2.0/UDP h:5060"},
		`"J Rosenberg \\\""       <sip:j@example.com>  ;  tag = 98asjd8`: {`"J Rosenberg \\\"" <sip:j@example.com>;tag=98asjd8`},
		`"a ; b = c" <sip:x@y> ; tag = 1`:                                {`"a ; b = c" <sip:x@y>;tag=1`},
		"Bob   Smith <sip:b@h>":                                          {"Bob Smith <sip:b@h>"},
		"sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n":     {"sip:vivekg@chair-dnrc.example.com;tag=1918181833n"},
		"<sip:a@b> ; q = 0.3 ,  <sip:c@d> ; expires = 4":                 {"<sip:a@b>;q=0.3", "<sip:c@d>;expires=4"},
		"<sip:a@b>, sip:c@d ; q = 1":                                     {"<sip:a@b>", "sip:c@d;q=1"},
		`"Bell, Alexander" <sip:a@b>,<sip:c@d>`:                          {`"Bell, Alexander" <sip:a@b>`, "<sip:c@d>"},
		`"unterminated <sip:a@b> ; tag = 1`:                              {`"unterminated <sip:a@b> ; tag = 1`},
	} {
		var got []string
		for rest := in; ; {
			elem, comma := firstElement(rest)
			got = append(got, compactElement(elem))
			if comma < 0 {
				break
			}
			rest = rest[comma+1:]
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: elements %q, want %q", in, got, want)
		}
	}
}

// TestParserReadsSpacedHeaders: what sipgo alone gets wrong (see wsnorm.go).
func TestParserReadsSpacedHeaders(t *testing.T) {
	msg := "OPTIONS sip:u@h SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP 127.0.0.1:5000 ; branch = z9hG4bKabc ; rport\r\n" +
		"v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\n" +
		"From: <sip:a@b> ; tag = x1\r\nTo: sip:u@h ; tag = x2\r\nCall-ID: c\r\nCSeq: 1 \t   OPTIONS\r\n" +
		"Contact: <sip:a@b> ; q = 0.3 ,  sip:c@d ; expires = 4\r\nm: \"Bell, Alexander\" <sip:e@f> ; q=1, <sip:g@h>\r\nContent-Length: 0\r\n\r\n"
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
	if tag, _ := req.To().Params.Get("tag"); tag != "x2" || req.To().Address.Host != "h" {
		t.Errorf("To %q", req.To().Value())
	}
	var contacts []string
	for _, h := range req.GetHeaders("Contact") {
		contacts = append(contacts, h.Value())
	}
	if got, want := strings.Join(contacts, " | "), `<sip:a@b>;q=0.3 | <sip:c@d>;expires=4 | "Bell, Alexander" <sip:e@f>;q=1 | <sip:g@h>`; got != want {
		t.Errorf("Contacts\n%s\nwant\n%s", got, want)
	}
}

func FuzzCompactElement(f *testing.F) {
	for _, s := range []string{"SIP / 2.0 / UDP h ; branch = x , SIP/2.0/TCP h2", `"a\\"b ; c" <sip:x;lr> ; tag = 1`, "a,,b", `"`, "<", `\\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		elem, comma := firstElement(in)
		if comma >= 0 && (in[comma] != ',' || elem != in[:comma]) {
			t.Fatalf("firstElement(%q) = %q, %d", in, elem, comma)
		}
		if comma < 0 && elem != in {
			t.Fatalf("firstElement(%q) = %q without a comma", in, elem)
		}
		out := compactElement(elem)
		if again := compactElement(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", elem, out, again)
		}
		blankless := strings.NewReplacer(" ", "", "\t", "")
		if blankless.Replace(elem) != blankless.Replace(out) {
			t.Fatalf("changed more than blanks: %q -> %q", elem, out)
		}
	})
}
