//go:build cgo && !linux

package audiodev

func quietBackends() {}
