package media

import (
	"fmt"
	"strings"
)

// Direction is our media direction as negotiated in SDP.
type Direction int

// Directions, named after the SDP attributes. The zero value is SendRecv.
const (
	SendRecv Direction = iota
	SendOnly
	RecvOnly
	Inactive
)

// String gives the SDP attribute name ("sendrecv", ...).
func (d Direction) String() string {
	switch d {
	case SendRecv:
		return "sendrecv"
	case SendOnly:
		return "sendonly"
	case RecvOnly:
		return "recvonly"
	case Inactive:
		return "inactive"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// ParseDirection reads an SDP direction attribute (case-insensitive).
func ParseDirection(s string) (Direction, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "sendrecv":
		return SendRecv, nil
	case "sendonly":
		return SendOnly, nil
	case "recvonly":
		return RecvOnly, nil
	case "inactive":
		return Inactive, nil
	}
	return SendRecv, fmt.Errorf("unknown SDP direction %q", s)
}

// Reverse is the direction the other side has when we have d.
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	}
	return d
}

// Sends reports whether audio goes out in this direction.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether received audio is played in this direction.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }
