package testenv

import "errors"

var (
	// ErrSipp marks a sipp scenario that failed (SippRun.Wait).
	ErrSipp = errors.New("sipp scenario failed")
	// ErrBaresipCommand marks a ctrl_tcp command baresip refused.
	ErrBaresipCommand = errors.New("baresip command failed")
)
