package tickets

import (
	"encoding/json"

	"github.com/homeshore/homeshore/server/phone"
)

// NormalizePhone returns number in E.164, as the server stores it; see
// phone.Normalize.
func NormalizePhone(number, region string) (string, bool) { return phone.Normalize(number, region) }

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
