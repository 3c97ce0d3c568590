package sipbench_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/homeshore/homeshore/internal/testenv"
)

// baresipConfig is baresip 1.0.0's configuration for the comparison: the
// same audio chain internal/testenv uses (aufile microphone, ALSA default =
// the private PulseAudio for playback, sndfile recording) plus Opus pinned
// to mono 32 kbit/s like Homeshore's. No ctrl_tcp and no stdio: the call is
// dialled with -e, and stdio spins a core when stdin is at EOF.
const baresipConfig = `poll_method		epoll
net_interface		127.0.0.1
sip_listen		127.0.0.1:%d
call_local_timeout	120
audio_player		alsa,default
audio_alert		alsa,default
audio_source		aufile,%s
audio_path		/usr/share/baresip
ausrc_srate		48000
auplay_srate		48000
ausrc_channels		1
auplay_channels		1
audio_buffer		20-160
audio_level		no
rtp_tos			0
rtp_ports		%d-%d
rtcp_mux		no
jitter_buffer_delay	2-10
rtp_stats		no
opus_bitrate		32000
opus_stereo		no
opus_sprop_stereo	no
%s
module_path		/usr/lib/baresip/modules
module			opus.so
module			aufile.so
module			alsa.so
%s
module_tmp		uuid.so
module_tmp		account.so
module_app		menu.so
`

// baresipDir writes config and accounts into a new directory and returns
// it. record is the sndfile directory ("" records nothing); rtpBase picks a
// private RTP port range per instance.
func baresipDir(tb testing.TB, sipPort int, mic, record, account string, rtpBase int) string {
	tb.Helper()
	dir := tb.TempDir()
	sndPath, sndMod := "", ""
	if record != "" {
		sndPath, sndMod = "snd_path\t\t"+record, "module\t\t\tsndfile.so"
	}
	cfg := fmt.Sprintf(baresipConfig, sipPort, mic, rtpBase, rtpBase+98, sndPath, sndMod)
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account+"\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// sipPortPair picks a UDP/TCP port whose successor (baresip's TLS port) is
// free as well.
func sipPortPair(tb testing.TB) int {
	tb.Helper()
	for range 50 {
		p := testenv.FreeUDPTCPPort(tb)
		l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(p+1)))
		if err != nil {
			continue
		}
		l.Close()
		return p
	}
	tb.Fatal("no free SIP port pair")
	return 0
}
