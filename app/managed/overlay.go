package managed

import (
	"encoding/json"
	"fmt"
)

// Overlay merges policy documents, later ones winning key by key (objects merge
// recursively; lists and scalars are replaced whole). On Windows the loader
// calls Overlay(file, registry): what Group Policy or the MSI set in the
// registry beats %ProgramData%\Homeshore\policy.json. Nil documents are skipped.
func Overlay(docs ...[]byte) ([]byte, error) {
	merged := map[string]any{}
	for i, d := range docs {
		if d == nil {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(d, &m); err != nil {
			return nil, fmt.Errorf("overlay policy source %d: %w", i, err)
		}
		merge(merged, m)
	}
	return json.Marshal(merged)
}

func merge(dst, src map[string]any) {
	for k, v := range src {
		sv, srcIsObj := v.(map[string]any)
		dv, dstIsObj := dst[k].(map[string]any)
		if srcIsObj && dstIsObj {
			merge(dv, sv)
			continue
		}
		dst[k] = v
	}
}
