// Command fynehello is the smallest Fyne window of the same size as
// Homeshore's: bench/gui.sh measures it as the toolkit's floor.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("org.homeshore.bench.fynehello")
	w := a.NewWindow("fynehello")
	w.SetContent(widget.NewLabel("hello"))
	w.Resize(fyne.NewSize(1080, 720))
	w.ShowAndRun()
}
