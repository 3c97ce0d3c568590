package phone

import "testing"

// Every "number" a PBX can give for a call party, each read to one key.
func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		in, region string
		key        string
		kind       Kind
	}{
		// Public numbers, however written, in the region or another.
		{"0612345678", "FR", "+33612345678", E164},
		{"06 12 34 56 78", "FR", "+33612345678", E164},
		{"+33 6 12 34 56 78", "US", "+33612345678", E164},
		{"+33 (0)6 12-34-56-78", "FR", "+33612345678", E164},
		{"0033612345678", "FR", "+33612345678", E164},
		{"+44 20 7946 0958", "FR", "+442079460958", E164},
		{"(202) 555-0147", "US", "+12025550147", E164},
		{"+1-202-555-0147", "FR", "+12025550147", E164},
		{"+14155550134", "FR", "+14155550134", E164},
		{"\u00a0+33\u00a06\u00a012\u00a034\u00a056\u00a078 ", "FR", "+33612345678", E164},
		{"tel:+33612345678;phone-context=example.com", "US", "+33612345678", E164},
		{"sip:0612345678@pbx.example;user=phone", "FR", "+33612345678", E164},
		{"sip:%2B33612345678@pbx.example", "US", "+33612345678", E164},
		{`"Claire Martin" <sip:+33612345678@10.0.0.1:5060>`, "US", "+33612345678", E164},
		// Extensions, short codes, feature codes: kept as dialled.
		{"2002", "FR", "2002", Extension},
		{"sip:2002@pbx", "FR", "2002", Extension},
		{"sips:2002@pbx.example:5061;transport=tls", "US", "2002", Extension},
		{"<sip:2002@pbx>", "FR", "2002", Extension},
		{"2002@pbx", "FR", "2002", Extension},
		{"20 02", "FR", "2002", Extension},
		{"3949", "FR", "3949", Extension},
		{"112", "FR", "112", Extension},
		{"*61", "FR", "*61", Extension},
		{"#31#0612345678", "FR", "#31#0612345678", Extension},
		{"5550147", "US", "5550147", Extension}, // local-only: no area code to make it E.164
		// Withheld callers.
		{"anonymous", "FR", Anonymous, Withheld},
		{"Anonymous", "FR", Anonymous, Withheld},
		{"", "FR", Anonymous, Withheld},
		{"   ", "FR", Anonymous, Withheld},
		{"Restricted", "US", Anonymous, Withheld},
		{"PRIVATE", "US", Anonymous, Withheld},
		{"Unavailable", "US", Anonymous, Withheld},
		{"sip:anonymous@anonymous.invalid", "FR", Anonymous, Withheld},
		{`"Anonymous" <sip:anonymous@anonymous.invalid>`, "FR", Anonymous, Withheld},
		{"sip:restricted@pbx.example", "FR", Anonymous, Withheld},
		{"sip:pbx.example", "FR", Anonymous, Withheld},
		{"Numéro masqué", "FR", Anonymous, Withheld},
		// SIP users that are names: the user part.
		{"sip:support@acme.example", "FR", "support", SIPUser},
		{"support", "FR", "support", SIPUser},
		{"sip:Bob.Smith@pbx", "FR", "Bob.Smith", SIPUser},
		// Not a party.
		{"call me", "FR", "", Invalid},
		{"06\x0012", "FR", "", Invalid},
		{"a <b", "FR", "", Invalid},
		{"sip:a b@pbx", "FR", "", Invalid},
		{"sip:@pbx", "FR", Anonymous, Withheld},
	} {
		key, kind := Canonical(tc.in, tc.region)
		if key != tc.key || kind != tc.kind {
			t.Errorf("Canonical(%q, %s) = %q %v, want %q %v", tc.in, tc.region, key, kind, tc.key, tc.kind)
		}
		// A key reads as itself: stored keys are looked up as they are. A
		// number with its country (and a short one) does in any region.
		regions := []string{tc.region}
		if kind != Extension || len(key) < MinDigits {
			regions = append(regions, "US", "GB")
		}
		if kind != Invalid {
			for _, r := range regions {
				if again, k := Canonical(key, r); again != key || k != kind {
					t.Errorf("Canonical(%q, %s) = %q %v: the key %q is not stable", key, r, again, k, key)
				}
			}
		}
	}
}

func TestNormalizeIsE164Only(t *testing.T) {
	if e, ok := Normalize("06 12 34 56 78", "FR"); !ok || e != "+33612345678" {
		t.Errorf("Normalize = %q %v", e, ok)
	}
	for _, not := range []string{"2002", "anonymous", "support", "", "call me", "12"} {
		if _, ok := Normalize(not, "FR"); ok {
			t.Errorf("Normalize(%q) says it is a phone number", not)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"0612345678", "+44 20 7946 0958", "sip:2002@pbx", "anonymous", "*61", "sip:%2B33@x", "support", "<sip:a@b>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, kind := Canonical(s, "FR")
		if kind == Invalid {
			return
		}
		if len(key) > maxUser {
			t.Fatalf("Canonical(%q) = %q: longer than %d", s, key, maxUser)
		}
		if again, k := Canonical(key, "FR"); again != key || k != kind {
			t.Fatalf("Canonical(%q) = %q %v, but the key reads as %q %v", s, key, kind, again, k)
		}
	})
}
