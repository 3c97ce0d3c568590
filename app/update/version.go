package update

import (
	"strconv"
	"strings"
)

// Newer reports whether candidate is a later release than current. Versions are
// git-described ("v1.2.3", "v1.2.3-4-gabc", "1.2.3"); a current version that is
// not a release (a "dev" build) is never offered updates, so developers and
// tests are not upgraded behind their back.
func Newer(candidate, current string) bool {
	c, cPre, ok1 := parseVersion(candidate)
	r, rPre, ok2 := parseVersion(current)
	if !ok1 || !ok2 {
		return false
	}
	for i := range c {
		if c[i] != r[i] {
			return c[i] > r[i]
		}
	}
	// Same release: a build n commits later ("-n-g...") is newer than the tag.
	return cPre > rPre
}

// parseVersion returns major, minor, patch and the commits-since-tag count.
func parseVersion(v string) (nums [3]int, commits int, ok bool) {
	v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "v"), "-dirty")
	base, rest, _ := strings.Cut(v, "-")
	parts := strings.Split(base, ".")
	if len(parts) != 3 {
		return nums, 0, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nums, 0, false
		}
		nums[i] = n
	}
	if rest != "" {
		count, _, _ := strings.Cut(rest, "-")
		n, err := strconv.Atoi(count)
		if err != nil {
			return nums, 0, false
		}
		commits = n
	}
	return nums, commits, true
}
