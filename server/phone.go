package server

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// NormalizePhone returns number in E.164 form, reading it in region when it
// has no +country prefix. ok is false for text that is not a phone number.
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
