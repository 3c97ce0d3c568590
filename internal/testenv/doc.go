// Package testenv starts real SIP peers (Kamailio, baresip, sipp), PulseAudio
// null devices and test sounds on 127.0.0.1 for integration tests, and stops
// them when the test ends.
//
// Every Start function registers a t.Cleanup that kills the process group,
// waits for it and, when the test failed, prints the tail of the process log.
// Logs live in t.TempDir(). Ports are picked per test, so packages using these
// helpers run in parallel. Components that are missing make a test fail when
// the environment variable CI is "true" and skip it otherwise (Require).
// Tests that use baresip or PulseAudio run under scripts/with-test-env.sh.
//
// Registrar and proxy (config: testdata/kamailio/kamailio.cfg.tmpl):
//
//	k := testenv.StartKamailio(t, map[string]string{"alice": "pw-a", "bob": "pw-b"})
//	k.Addr()        // "127.0.0.1:PORT", UDP and TCP
//	k.TLSAddr()     // TLS, certificate signed by k.CAFile (k.TLSConfig(t))
//	k.AOR("alice")  // "sip:alice@127.0.0.1:PORT"; digest realm k.Realm
//
// A second, independent UA driven over ctrl_tcp:
//
//	bob := testenv.StartBaresip(t, testenv.BaresipOptions{
//		AOR: k.AOR("bob"), Password: "pw-b", AutoAnswer: true,
//		RecordDir: t.TempDir(), PlayWAV: testenv.Espeak(t, "Hello from Bob"),
//	})
//	// ... Homeshore calls k.AOR("bob") ...
//	ev, err := bob.WaitEvent(ctx, testenv.EventCallEstablished)
//	bob.Command("/sndcode 42#")
//	bob.WaitEvent(ctx, testenv.EventCallClosed)
//	res, err := audiocmp.Compare(sentWAV, bob.RecordedWAV())
//
// Edge cases from sipp scenarios (testdata/sipp/*.xml, each documented at
// its top and validated against baresip in this package's tests):
//
//	s := testenv.Sipp(t, "uac_cancel.xml", "-s", "agent", homeshoreAddr)
//	err := s.Wait(ctx) // nil when the scenario passed; else sipp's logs
//
//	s := testenv.Sipp(t, "uas_busy.xml") // UAS: Homeshore calls s.Addr()
//
// Audio devices: PulseDevice (null sink + its monitor as microphone, with
// properties such as device.bus=usb) and PulseHeadset (speaker and
// microphone apart; Leak joins them through module-loopback).
package testenv
