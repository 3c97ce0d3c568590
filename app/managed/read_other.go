//go:build !windows

package managed

// ReadRegistry has no registry to read outside Windows: policy comes from the file only.
func ReadRegistry() ([]byte, error) { return nil, ErrNotManaged }
