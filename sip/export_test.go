package sip

// Internals the sip_test package reaches.
const CancelWait1xx = cancelWait1xx
