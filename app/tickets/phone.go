package tickets

import (
	"encoding/json"

	"github.com/homeshore/homeshore/server/phone"
)

// NormalizePhone returns number in E.164, as the server stores it; see
// phone.Normalize.
func NormalizePhone(number, region string) (string, bool) { return phone.Normalize(number, region) }

// PartyKey reads a call party (a number, an extension, a SIP address, a
// withheld caller) into the key the server stores and matches on; see
// phone.Canonical.
func PartyKey(number, region string) (string, phone.Kind) { return phone.Canonical(number, region) }

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
