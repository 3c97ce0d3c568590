package server

import "github.com/homeshore/homeshore/server/phone"

// NormalizePhone returns number in E.164 form; see phone.Normalize.
func NormalizePhone(number, region string) (string, bool) { return phone.Normalize(number, region) }
