package tickets

import (
	"encoding/json"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone returns number in E.164, reading it in region (ISO country
// code) when it has no +country prefix; ok is false when it is no number.
func NormalizePhone(number, region string) (e164 string, ok bool) {
	number = strings.TrimSpace(number)
	if number == "" || len(number) > 64 {
		return "", false
	}
	n, err := phonenumbers.Parse(number, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
