//go:build cgo && linux

package audiodev

/*
#cgo pkg-config: alsa jack
#include <alsa/asoundlib.h>
#include <jack/jack.h>

static void homeshoreALSASilent(const char *file, int line, const char *function, int err, const char *fmt, ...) {}
static void homeshoreJackSilent(const char *msg) {}

static void homeshoreQuietBackends(void) {
	snd_lib_error_set_handler(homeshoreALSASilent);
	jack_set_error_function(homeshoreJackSilent);
	jack_set_info_function(homeshoreJackSilent);
}
*/
import "C"

import "os"

// quietBackends stops ALSA and JACK from printing a line on stderr for
// every device PortAudio probes and cannot open (dozens on a normal
// desktop), which would bury the CLI's own output. Set
// HOMESHORE_AUDIO_DEBUG=1 to see them.
func quietBackends() {
	if os.Getenv("HOMESHORE_AUDIO_DEBUG") != "" {
		return
	}
	C.homeshoreQuietBackends()
}
