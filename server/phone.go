package server

import "github.com/homeshore/homeshore/server/phone"

// NormalizePhone returns number in E.164 form; see phone.Normalize.
func NormalizePhone(number, region string) (string, bool) { return phone.Normalize(number, region) }

// partyKey reads what a PBX gives for a call party (a number, an
// extension, a SIP address, a withheld caller) into the key stored and
// matched on; see phone.Canonical.
func partyKey(number, region string) (string, phone.Kind) { return phone.Canonical(number, region) }
