// Command homeshore is the Homeshore softphone: the GUI by default, and
// headless subcommands (call, answer, devices, check) for IT diagnostics
// and tests.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/homeshore/homeshore/app/cli"
	_ "github.com/homeshore/homeshore/app/localeenv" // before Fyne reads the locale
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
