package config

import (
	"errors"
	"fmt"
)

// ErrPolicyInvalid wraps every policy problem (errors.Is); PolicyError says where.
var ErrPolicyInvalid = errors.New("invalid IT policy")

// PolicyError names the file, the dotted key and what is wrong with it.
type PolicyError struct {
	Path string // file path
	Key  string // dotted key, e.g. checks.room.max_l90_dbfs
	Msg  string
}

func (e *PolicyError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("IT policy %s: %s (ask your IT team to fix the file)", e.Path, e.Msg)
	}
	return fmt.Sprintf("IT policy %s: %s: %s (ask your IT team to fix the file)", e.Path, e.Key, e.Msg)
}

// Unwrap lets errors.Is(err, ErrPolicyInvalid) match.
func (e *PolicyError) Unwrap() error { return ErrPolicyInvalid }
