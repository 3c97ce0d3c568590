// Package phone normalises phone numbers to E.164, the one form the ticket
// server and the app's ticket client store and match on.
package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// maxLen bounds what is parsed: longer text is no phone number.
const maxLen = 64

// Normalize returns number in E.164, reading it in region (ISO 3166 country
// code) when it has no +country prefix; ok is false when it is no number.
func Normalize(number, region string) (e164 string, ok bool) {
	number = strings.TrimSpace(number)
	if number == "" || len(number) > maxLen {
		return "", false
	}
	n, err := phonenumbers.Parse(number, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}
