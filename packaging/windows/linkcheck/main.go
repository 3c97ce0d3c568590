// Command linkcheck links PortAudio, Opus and Fyne into one Windows executable,
// so `make test-package` proves the mingw-w64 toolchain and the static audio
// libraries work even before homeshore.exe itself links all three. Its own
// module keeps these pins out of the app's go.mod; align them when upgrading.
package main

import (
	"fmt"

	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
	"github.com/gordonklaus/portaudio"
	"github.com/hraban/opus"
)

func main() {
	fmt.Println(portaudio.VersionText())
	enc, err := opus.NewEncoder(48000, 1, opus.AppVoIP)
	fmt.Println(enc != nil, err)
	w := app.NewWithID("org.homeshore.Homeshore.linkcheck").NewWindow("linkcheck")
	w.SetContent(widget.NewLabel("linkcheck"))
}
