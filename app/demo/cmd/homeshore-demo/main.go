// Command homeshore-demo starts the GUI on the embedded demo setup without
// the rest of the CLI: for GUI development and benchmarks (bench/gui.sh).
// The product entry is `homeshore --demo`, which calls demo.Run the same way.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/homeshore/homeshore/app/demo"
	"github.com/homeshore/homeshore/app/ui"
)

func main() {
	lang := flag.String("lang", "", "language: en or fr (default: the OS language)")
	shown := flag.Bool("print-shown", false, "print \"shown UNIX_NS DISPLAY PID\" when the window is shown (benchmarks, tests)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts := ui.Options{Language: *lang}
	if *shown {
		opts.OnShown = func() {
			fmt.Fprintf(os.Stderr, "shown %d %s %d\n", time.Now().UnixNano(), os.Getenv("DISPLAY"), os.Getpid())
		}
	}
	if err := demo.Run(ctx, opts); err != nil {
		fmt.Fprintln(os.Stderr, "homeshore-demo:", err)
		os.Exit(1)
	}
}
