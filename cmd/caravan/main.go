// Command caravan simulates migration systems and compares them with evidence.
package main

import (
	"os"

	"github.com/caravan-sim/caravan/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
