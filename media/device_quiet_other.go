//go:build cgo && !linux

package media

func quietBackends() {}
