package ui

import "errors"

// ErrNoBackend is returned by Main when Options.Backend lacks a part the
// GUI cannot work without.
var ErrNoBackend = errors.New("ui: backend incomplete")

// ErrStepSkipped: the agent skipped a step of the check that needs them
// (reading the sentence); the check goes on without it.
var ErrStepSkipped = errors.New("the agent skipped this step")

// uiError is a message already translated for the agent.
type uiError string

func (e uiError) Error() string { return string(e) }

func errorf(msg string) error { return uiError(msg) }
