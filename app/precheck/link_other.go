//go:build !linux && !windows && !darwin

package precheck

func linkType(string) string { return LinkUnknown }
